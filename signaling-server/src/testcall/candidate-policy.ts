/**
 * Which ICE candidates the echo peer may check (issue 34): only addresses
 * that can be the caller itself, so a test call cannot aim the server's
 * STUN checks (and, over TCP, its connections) at other hosts: the
 * server's own loopback ports, the cloud's metadata address, the LAN.
 *
 * - An IP literal, never a name: no `.local` (werift would ask mDNS for it)
 *   and no DNS name; IPv4 only in dotted four-part decimal (`127.1` and
 *   `0x7f.0.0.1` would reach loopback through the resolver).
 * - A public unicast address (IPv6 in 2000::/3), or with `PARLEY_TEST_CALL=lan`
 *   also a private one: RFC 1918, CGNAT (100.64/10), ULA (fc00::/7) and IPv6
 *   link-local (fe80::/10). Never loopback, multicast, broadcast,
 *   unspecified or reserved, nor an IPv4-mapped or translated form of one
 *   (`::ffff:127.0.0.1` is 127.0.0.1), and never IPv4 link-local
 *   (169.254/16) or fd00:ec2::254, LAN or not: the clouds' metadata
 *   services live there.
 * - And the caller's own address, when the server sees it: a connection
 *   straight from the caller (no proxy declared, no forwarding header) comes
 *   from it, so that address is accepted; a caller on this very machine (its
 *   connection comes from loopback) may offer loopback and this machine's
 *   own addresses, which it can reach itself anyway (`npm start`, tests).
 * - At most MAX_CANDIDATES accepted per test call, in the offer and trickled.
 */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

export const MAX_CANDIDATES = 8;

/** Why a candidate was dropped (a metric label: a closed set). */
export type CandidateDrop = 'malformed' | 'not-ip' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'multicast' | 'unspecified' | 'reserved' | 'over-limit';

/** Where the caller's connection comes from, as far as the server can tell. */
export type ClientOrigin = { kind: 'local' } | { kind: 'remote'; address: string } | { kind: 'unknown' };

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** A proxy forwarded this request (read from the first HTTP request of a connection, which is then let go). */
export const viaProxy = (headers: Record<string, unknown>): boolean => FORWARDING_HEADERS.some((h) => headers[h] !== undefined);

/**
 * The connection's peer address is the caller only when nothing stands between:
 * with PARLEY_TRUST_PROXY set, or a forwarding header present, it is a proxy's.
 */
export function clientOrigin(peer: { address: string; forwarded: boolean }, behindProxy: boolean): ClientOrigin {
  if (behindProxy || peer.forwarded) return { kind: 'unknown' };
  const address = parseLiteral(peer.address);
  if (!address) return { kind: 'unknown' };
  return address.range() === 'loopback' ? { kind: 'local' } : { kind: 'remote', address: address.toString() };
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A strict IP literal, IPv4-mapped forms turned into IPv4; undefined for names, odd IPv4 forms and zones. */
function parseLiteral(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

const GLOBAL_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** AWS's instance metadata over IPv6 (a ULA); over IPv4 every cloud's is in 169.254/16. */
const METADATA_V6 = ipaddr.IPv6.parse('fd00:ec2::254').toString();

/** 'public', 'lan', or why the address can never be a caller's. */
function classify(address: Address): 'public' | 'lan' | CandidateDrop {
  const range = address.range() as string;
  if (range === 'unicast') return address.kind() === 'ipv4' || address.match(GLOBAL_V6) ? 'public' : 'reserved';
  if (address.toString() === METADATA_V6) return 'metadata';
  switch (range) {
    case 'private':
    case 'carrierGradeNat':
    case 'uniqueLocal':
      return 'lan';
    case 'linkLocal':
      return address.kind() === 'ipv6' ? 'lan' : 'link-local';
    case 'loopback':
      return 'loopback';
    case 'multicast':
    case 'broadcast':
      return 'multicast';
    case 'unspecified':
      return 'unspecified';
    default:
      return 'reserved';
  }
}

/** The reason a LAN address is refused without PARLEY_TEST_CALL=lan. */
const lanReason = (address: Address): CandidateDrop => (address.range() === 'linkLocal' ? 'link-local' : 'private');

/** This machine's own addresses (loopback's among them). */
function hostAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      const address = parseLiteral(entry.address.split('%')[0] ?? '');
      if (address) found.add(address.toString());
    }
  }
  return found;
}

export type Admission = { ok: true; candidate: string } | { ok: false; reason: CandidateDrop; address: string };

/** One test call's gate: decides each candidate and counts the accepted ones. */
export class CandidatePolicy {
  private accepted = 0;
  private readonly own: Set<string>;

  constructor(
    private readonly lan: boolean,
    private readonly origin: ClientOrigin,
  ) {
    this.own = origin.kind === 'local' ? hostAddresses() : new Set(origin.kind === 'remote' ? [origin.address] : []);
  }

  /**
   * `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …` (RFC 8839),
   * with or without `a=`. Accepted, it comes back with its address in canonical form (what was judged is
   * what werift gets).
   */
  admit(line: string): Admission {
    const parts = line.trim().split(/\s+/);
    const text = parts[4] ?? '';
    const shown = text.slice(0, 64);
    const port = Number(parts[5]);
    if (!/^(a=)?candidate:\S+$/.test(parts[0] ?? '') || parts[6] !== 'typ' || !/^(udp|tcp)$/i.test(parts[2] ?? '') || !Number.isInteger(port) || port < 1 || port > 65535) {
      return { ok: false, reason: 'malformed', address: shown };
    }
    const address = parseLiteral(text);
    if (!address) return { ok: false, reason: 'not-ip', address: shown };
    const canonical = address.toString();
    const verdict = classify(address);
    const mine = this.own.has(canonical) || (this.origin.kind === 'local' && verdict === 'loopback');
    if (!mine && verdict !== 'public' && !(verdict === 'lan' && this.lan)) {
      return { ok: false, reason: verdict === 'lan' ? lanReason(address) : verdict, address: canonical };
    }
    if (this.accepted >= MAX_CANDIDATES) return { ok: false, reason: 'over-limit', address: canonical };
    this.accepted++;
    parts[4] = canonical;
    return { ok: true, candidate: parts.join(' ') };
  }
}
