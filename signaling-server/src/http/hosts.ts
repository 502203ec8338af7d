/**
 * Which names a request may give in its Host header. Against DNS rebinding:
 * a page on another name whose DNS is switched to this server's address
 * (127.0.0.1 for a server on a laptop) is same-origin with the server for
 * the browser, so the Origin check cannot tell; only Host names the page's
 * real name.
 *
 * - PARLEY_PUBLIC_URL set: its host name and the loopback names (localhost,
 *   127.x.x.x, [::1]), with any port.
 * - Unset, listening on loopback with no trusted proxy in front: the
 *   loopback names.
 * - Unset otherwise (a network address, or a proxy that passes on the name
 *   users type): the server cannot know its own name and checks nothing;
 *   set PARLEY_PUBLIC_URL to have it checked.
 * Used for HTTP and for Socket.IO's handshake (allowRequest).
 */
import { isLoopback } from '../config.js';

/** The host names accepted besides the loopback ones; undefined: Host is not checked. */
export type HostPolicy = { names: ReadonlySet<string> } | undefined;

export function hostPolicy(config: { publicUrl: string | undefined; host: string; trustProxy: readonly string[] }): HostPolicy {
  if (config.publicUrl !== undefined) return { names: new Set([new URL(config.publicUrl).hostname.toLowerCase()]) };
  if (isLoopback(config.host) && config.trustProxy.length === 0) return { names: new Set() };
  return undefined;
}

/** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port: nothing else is a Host. */
const HOST_HEADER = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (policy === undefined) return true;
  if (header === undefined || !HOST_HEADER.test(header)) return false;
  let name: string;
  try {
    name = new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return false; // e.g. 999.1.1.1
  }
  return policy.names.has(name) || isLoopback(name.replace(/^\[(.*)\]$/, '$1'));
}

export const FORBIDDEN_HOST_MESSAGE = 'This server does not answer to that name: its admin can set PARLEY_PUBLIC_URL to the address users reach it at';
