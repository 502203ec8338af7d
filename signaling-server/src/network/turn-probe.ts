/**
 * Asks a TURN server for a relay the way a browser does (RFC 8656 Allocate
 * with the long-term credentials parley-server hands out) and says in words
 * what happened: a relay address, a refusal (with TURN's error code), or no
 * answer. Its own few lines of STUN rather than a WebRTC stack, because a
 * stack only says "no relay candidate" where an admin needs to know which.
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ATTR, MAGIC, METHOD, attribute, parseStun, stunRequest } from './stun-message.js';


export type TurnVerdict =
  | { kind: 'relay'; url: string; relay: string }
  | { kind: 'refused'; url: string; code: number; reason: string }
  | { kind: 'no-answer'; url: string; detail: string }
  | { kind: 'bad-url'; url: string; detail: string };

export interface TurnTarget {
  secure: boolean;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** turn:host[:port][?transport=udp|tcp] and turns:… (TLS, always TCP). */
export function parseTurnUrl(url: string): TurnTarget | undefined {
  const m = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return undefined;
  const secure = m[1]?.toLowerCase() === 'turns';
  const host = (m[2] as string).replace(/^\[|\]$/g, '');
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  const transport = secure ? 'tcp' : ((m[4]?.toLowerCase() as 'udp' | 'tcp' | undefined) ?? 'udp');
  return { secure, host, port, transport };
}

/** One sentence for a person, naming the server. */
export function describeVerdict(v: TurnVerdict): string {
  switch (v.kind) {
    case 'relay':
      return `TURN at ${v.url} gave a relay candidate (${v.relay})`;
    case 'refused':
      return v.code === 401
        ? `TURN at ${v.url} refused the credentials (401 ${v.reason}): its static-auth-secret and PARLEY_TURN_SECRET differ, or the clocks disagree`
        : `TURN at ${v.url} refused the allocation (${v.code} ${v.reason})`;
    case 'no-answer':
      return `no answer from TURN at ${v.url} (${v.detail})`;
    case 'bad-url':
      return `TURN URL ${v.url} cannot be read (${v.detail})`;
  }
}

/** XOR-RELAYED-ADDRESS as "ip:port" (IPv4 or IPv6). */
function relayedAddress(value: Buffer | undefined, txn: Buffer): string {
  if (!value) return 'no address';
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  if (value.readUInt8(1) === 0x01) {
    const ip = (value.readUInt32BE(4) ^ MAGIC) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (ip >>> s) & 0xff).join('.')}:${port}`;
  }
  const mask = Buffer.concat([Buffer.alloc(4), txn]);
  mask.writeUInt32BE(MAGIC, 0);
  const bytes = Buffer.from(value.subarray(4, 20).map((b, i) => b ^ (mask[i] as number)));
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return `[${groups.join(':')}]:${port}`;
}

/** A request/answer exchange over one transport; rejects with a sentence on silence or a closed connection. */
type Exchange = (msg: Buffer) => Promise<Buffer>;

function udpExchange(t: TurnTarget, timeoutMs: number): { exchange: Exchange; close: () => void } {
  const socket = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  const exchange: Exchange = (msg) =>
    new Promise((resolve, reject) => {
      // Sent again like a STUN client would (RFC 5389 7.2.1): one lost datagram is not "no answer".
      const resend = setInterval(() => socket.send(msg, t.port, t.host), 500);
      const timer = setTimeout(() => finish(new Error(`nothing came back over UDP within ${timeoutMs / 1000} s`)), timeoutMs);
      const onMessage = (buf: Buffer) => {
        if (buf.length >= 20 && buf.subarray(8, 20).equals(msg.subarray(8, 20))) finish(undefined, buf);
      };
      const finish = (err?: Error, buf?: Buffer) => {
        clearInterval(resend);
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (buf) resolve(buf);
        else reject(err ?? new Error('no answer'));
      };
      socket.on('message', onMessage);
      socket.send(msg, t.port, t.host, (err) => {
        if (err) finish(new Error(err.message));
      });
    });
  return { exchange, close: () => socket.close() };
}

function streamExchange(t: TurnTarget, timeoutMs: number): { exchange: Exchange; close: () => void } {
  const socket = t.secure ? tlsConnect({ host: t.host, port: t.port, servername: t.host }) : tcpConnect({ host: t.host, port: t.port });
  let buffered = Buffer.alloc(0);
  let failure: Error | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake();
  });
  socket.on('error', (err: Error) => {
    failure = new Error(err.message);
    wake();
  });
  socket.on('close', () => {
    failure ??= new Error('the server closed the connection');
    wake();
  });
  const exchange: Exchange = (msg) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing came back over ${t.secure ? 'TLS' : 'TCP'} within ${timeoutMs / 1000} s`)), timeoutMs);
      const check = () => {
        // STUN over a stream: each message is its 20-byte header plus the length it states.
        if (buffered.length >= 20 && buffered.length >= 20 + buffered.readUInt16BE(2)) {
          const size = 20 + buffered.readUInt16BE(2);
          const message = buffered.subarray(0, size);
          buffered = buffered.subarray(size);
          clearTimeout(timer);
          resolve(message);
        } else if (failure) {
          clearTimeout(timer);
          reject(failure);
        } else waiters.push(check);
      };
      socket.write(msg);
      check();
    });
  return { exchange, close: () => socket.destroy() };
}

/** Allocates a relay at `url` with these credentials, and releases nothing: the allocation times out by itself. */
export async function probeTurn(url: string, username: string, credential: string, timeoutMs = 5000): Promise<TurnVerdict> {
  const target = parseTurnUrl(url);
  if (!target) return { kind: 'bad-url', url, detail: 'expected turn:host:port or turns:host:port' };
  const link = target.transport === 'udp' ? udpExchange(target, timeoutMs) : streamExchange(target, timeoutMs);
  const transport = attribute(ATTR.transport, Buffer.from([17, 0, 0, 0])); // a UDP relay, whatever the transport to TURN
  try {
    const challenge = parseStun(await link.exchange(stunRequest(METHOD.allocate, [transport])));
    let reply = challenge;
    let sent: Buffer | undefined;
    if (challenge.code === 401) {
      const realm = challenge.attrs.get(ATTR.realm);
      const nonce = challenge.attrs.get(ATTR.nonce);
      if (!realm || !nonce) return { kind: 'refused', url, code: 401, reason: 'no realm or nonce to authenticate with' };
      const key = createHash('md5').update(`${username}:${realm.toString()}:${credential}`).digest();
      sent = stunRequest(METHOD.allocate, [transport, attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)], key);
      reply = parseStun(await link.exchange(sent));
    }
    if (reply.ok) return { kind: 'relay', url, relay: relayedAddress(reply.attrs.get(ATTR.relayed), (sent ?? Buffer.alloc(20)).subarray(8, 20)) };
    return { kind: 'refused', url, code: reply.code ?? 0, reason: reply.reason?.trim() || 'no reason given' };
  } catch (err) {
    return { kind: 'no-answer', url, detail: (err as Error).message };
  } finally {
    link.close();
  }
}
