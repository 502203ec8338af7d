/**
 * The one path every client message takes: rate limit, validation, the
 * handler, then an acknowledgement `{ ok: true, ... }` or
 * `{ ok: false, code, message }`. Nothing reaches a handler unvalidated, a
 * handler that needed an unreachable store (database, Redis) is answered `unavailable`,
 * and any other unexpected failure `internal`, without taking the process
 * down. A connection that keeps sending after many `rate_limited`
 * refusals is closed.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { unavailableMessage } from '../db/store-errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  clientSchemas,
  describeIssues,
  type Ack,
  type ClientEvent,
  type ClientPayload,
  type ClientReplies,
  type ErrorCode,
} from '../protocol/index.js';
import type { DeviceSession, SessionStore } from '../stores/types.js';
import { RequestError } from './request-error.js';
import type { ParleySocket } from './types.js';

export interface HandlerContext {
  session: DeviceSession;
  /** The connection the message came on (presence watches are per connection). */
  socket: ParleySocket;
  /** Runs after the acknowledgement is sent, for events the sender must see after it. */
  afterReply: (fn: () => void) => void;
  /** What the handler's `early` started, if it has one. */
  early?: Promise<unknown>;
}

/**
 * A message's handler. `early`, where given, starts reads that need only the
 * username the connection signed in as, beside the dispatcher's check of the
 * session (with shared stores, one round trip for both); the handler gets
 * them in `ctx.early` (see withEarlyReads).
 */
export type Handler<E extends ClientEvent> = ((payload: ClientPayload<E>, ctx: HandlerContext) => Promise<ClientReplies[E]>) & {
  early?: (payload: ClientPayload<E>, username: string) => Promise<unknown> | undefined;
};

export type Handlers = { [E in ClientEvent]: Handler<E> };

/** A handler whose reads `early` starts before the session is confirmed; `handle` runs once it is. */
export function withEarlyReads<E extends ClientEvent, R>(
  early: (payload: ClientPayload<E>, username: string) => Promise<R> | undefined,
  handle: (payload: ClientPayload<E>, ctx: HandlerContext, reads: Promise<R> | undefined) => Promise<ClientReplies[E]>,
): Handler<E> {
  // ctx.early is what this handler's own `early` returned for this message (process() below).
  return Object.assign((payload: ClientPayload<E>, ctx: HandlerContext) => handle(payload, ctx, ctx.early as Promise<R> | undefined), { early });
}

export interface DispatcherDeps {
  sessions: SessionStore;
  metrics: Metrics;
  log: Logger;
  /** Sustained messages per second per device session. */
  rate: number;
  /** Extra messages a session may send in a burst (refilled over 10 s). */
  burst: number;
  /** `rate_limited` refusals within FLOOD_WINDOW_S after which the connection is closed; 0: never. */
  floodDisconnect: number;
}

/** The window over which a session's `rate_limited` refusals are counted. */
export const FLOOD_WINDOW_S = 10;

const EVENTS = new Set<string>(Object.keys(clientSchemas));
const isClientEvent = (e: string): e is ClientEvent => EVENTS.has(e);

export class Dispatcher {
  // A steady-rate bucket plus a burst allowance: a token bucket in effect.
  // Per connection, so these stay in this node's memory even with Redis: a
  // connection lives on one node, and a Redis round trip per message would
  // only slow every message down to count the same thing.
  private readonly steady: RateLimiterMemory;
  private readonly burst: RateLimiterMemory;
  private readonly limiter: BurstyRateLimiter;
  // Refusals per session: a client that ignores retryAfterMs this often is flooding.
  private readonly refusals: RateLimiterMemory | undefined;
  /** Messages of each connection still being handled (none: no entry). */
  private readonly inFlight = new Map<string, Set<Promise<void>>>();

  constructor(private readonly deps: DispatcherDeps) {
    this.steady = new RateLimiterMemory({ keyPrefix: 'msg', points: deps.rate, duration: 1 });
    this.burst = new RateLimiterMemory({ keyPrefix: 'msg-burst', points: deps.burst, duration: 10 });
    this.limiter = new BurstyRateLimiter(this.steady, this.burst);
    this.refusals =
      deps.floodDisconnect > 0
        ? new RateLimiterMemory({ keyPrefix: 'msg-refused', points: deps.floodDisconnect, duration: FLOOD_WINDOW_S })
        : undefined;
  }

  attach(socket: ParleySocket, ready: Promise<void>, handlers: Handlers): void {
    // One listener for every event, known or not: each goes through the same checks.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const name = String(event);
      const run = this.process(socket, ready, name, args, isClientEvent(name) ? handlers[name] : undefined).catch((err: unknown) => {
        this.deps.log.error({ err, event: name.slice(0, 64) }, 'message handling failed');
      });
      const runs = this.inFlight.get(socket.id) ?? new Set();
      this.inFlight.set(socket.id, runs);
      runs.add(run);
      void run.then(() => {
        runs.delete(run);
        if (runs.size === 0 && this.inFlight.get(socket.id) === runs) this.inFlight.delete(socket.id);
      });
    });
  }

  /**
   * Resolves once every message of the connection received so far has been
   * handled: its teardown waits for them, so a call:invite still on its way
   * through the stores cannot leave a call ringing for a caller already gone.
   */
  async settled(sessionId: string): Promise<void> {
    const runs = this.inFlight.get(sessionId);
    if (runs) await Promise.all([...runs]);
  }

  private async process(
    socket: ParleySocket,
    ready: Promise<void>,
    event: string,
    args: unknown[],
    handler: Handlers[ClientEvent] | undefined,
  ): Promise<void> {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (reply: Ack) => void) : undefined;
    const payloads = ack ? args.slice(0, -1) : args;
    const reject = (code: ErrorCode, message: string, retryAfterMs?: number) => {
      this.deps.metrics.rejected.inc({ code });
      ack?.({ ok: false, code, message, ...(retryAfterMs !== undefined && { retryAfterMs }) });
    };
    try {
      await this.limiter.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      reject('rate_limited', 'Too many messages: slow down', err.msBeforeNext);
      return this.countRefusal(socket);
    }
    if (!handler || !isClientEvent(event)) return reject('bad_request', `Unknown event "${event.slice(0, 64)}"`);
    if (payloads.length !== 1) return reject('bad_request', `${event} takes exactly one payload object`);
    const parsed = clientSchemas[event].safeParse(payloads[0]);
    if (!parsed.success) return reject('bad_request', `${event}: ${describeIssues(parsed.error)}`);
    try {
      await ready;
    } catch {
      return reject('unavailable', 'This session could not start: reconnect');
    }
    const early = (handler as Handler<typeof event>).early?.(parsed.data, socket.data.username);
    // Awaited by the handler, if it runs at all: a session found ended leaves it unread.
    early?.catch(() => undefined);
    let session: DeviceSession | undefined;
    try {
      session = await this.deps.sessions.get(socket.id);
    } catch (err) {
      const unavailable = unavailableMessage(err);
      if (unavailable !== undefined) return reject('unavailable', unavailable);
      throw err;
    }
    if (!session) return reject('unauthorized', 'This session has ended');
    const after: (() => void)[] = [];
    try {
      const result = await (handler as (p: unknown, c: HandlerContext) => Promise<object>)(parsed.data, {
        session,
        socket,
        afterReply: (fn) => after.push(fn),
        ...(early && { early }),
      });
      ack?.({ ok: true, ...result });
      for (const fn of after) fn();
    } catch (err) {
      if (err instanceof RequestError) return reject(err.code, err.message, err.retryAfterMs);
      const unavailable = unavailableMessage(err);
      if (unavailable !== undefined) {
        this.deps.log.warn({ event, username: session.username, err: (err as Error).message }, 'message refused: a store is unreachable');
        return reject('unavailable', unavailable);
      }
      this.deps.log.error({ err, event, username: session.username }, 'handler failed');
      reject('internal', 'The server could not handle this message');
    }
  }

  /**
   * Closes the connection once it has been refused more than `floodDisconnect`
   * times within the window. Only this connection: the user's other devices
   * and everyone else keep their own allowances. The transport is closed (the
   * client sees `transport close`), so a Socket.IO client reconnects after its
   * back-off as a new session.
   */
  private async countRefusal(socket: ParleySocket): Promise<void> {
    if (!this.refusals) return;
    try {
      await this.refusals.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // Messages already on their way are still refused; close and count once.
      if (socket.conn.readyState !== 'open') return;
      this.deps.metrics.floodDisconnects.inc();
      this.deps.log.warn(
        { username: socket.data.username, sessionId: socket.id, refused: err.consumedPoints, windowS: FLOOD_WINDOW_S },
        'flooding device disconnected',
      );
      socket.conn.close();
    }
  }

  forget(sessionId: string): void {
    // The counters expire by themselves: a store that cannot delete them now (Redis away) costs nothing but a line.
    Promise.all([this.steady.delete(sessionId), this.burst.delete(sessionId), this.refusals?.delete(sessionId)]).catch((err: unknown) =>
      this.deps.log.warn({ err, sessionId }, 'could not drop the message counters of a closed session'),
    );
  }
}

