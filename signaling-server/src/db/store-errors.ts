import { StoreUnavailableError } from '../stores/types.js';

/**
 * Tells "the database is unreachable" apart from every other failure, so a
 * request that needs it is answered `unavailable` (HTTP 503) instead of
 * `internal`, and nothing is treated as a bug while PostgreSQL restarts.
 * pg gives socket errors their errno code, server errors their SQLSTATE, and
 * its own connection failures only a message.
 */

/** Errno codes of a connection that could not be made or broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg's messages for a connection it lost or could not get. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

function unavailableSqlState(code: string): boolean {
  // Class 08: connection exception; 57P01-57P03: the server is shutting down,
  // crashed or not yet accepting connections; 53300: too many connections.
  return /^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300';
}

export function isStoreUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, errors } = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || unavailableSqlState(code))) return true;
  if (typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
  // Node reports a refused connection to every address of a name as an AggregateError.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isStoreUnavailable);
}

/** What a client is told while the database is unreachable. */
export const STORE_UNAVAILABLE_MESSAGE = 'The server cannot reach its database: try again in a moment';

/** What a client is told while the shared state of several nodes (`store`: Redis) is unreachable. */
export const sharedStateUnavailableMessage = (store: string) => `The server's shared state (${store}) is unreachable: try again shortly`;

/**
 * What a client is told when a store its request needed is unreachable:
 * the database, or the shared state of several nodes (Redis, whose
 * connection reports a StoreUnavailableError); undefined for any other failure.
 */
export function unavailableMessage(err: unknown): string | undefined {
  if (err instanceof StoreUnavailableError) return sharedStateUnavailableMessage(err.store);
  return isStoreUnavailable(err) ? STORE_UNAVAILABLE_MESSAGE : undefined;
}
