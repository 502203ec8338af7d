/**
 * STUN messages (RFC 8489) as TURN uses them: requests with attributes and
 * MESSAGE-INTEGRITY, and replies read into their attributes and error code.
 * Shared by the TURN probe (turn-probe.ts) and the tests' TURN client.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const MAGIC = 0x2112a442;
export const ATTR = {
  username: 0x0006,
  integrity: 0x0008,
  error: 0x0009,
  peer: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  relayed: 0x0016,
  transport: 0x0019,
} as const;
export const METHOD = { allocate: 0x0003, permission: 0x0008 } as const;

export interface StunReply {
  /** A success response (not an error response). */
  ok: boolean;
  /** An error response's code and reason phrase. */
  code?: number;
  reason?: string;
  attrs: Map<number, Buffer>;
}

export function attribute(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/**
 * A request of `method` with transaction id `id` (fresh by default; an IPv6 XOR address depends on it);
 * signed with `key` (MESSAGE-INTEGRITY) when given.
 */
export function stunRequest(method: number, attrs: Buffer[], key?: Buffer, id: Buffer = randomBytes(12)): Buffer {
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0); // class "request" is 0
  header.writeUInt32BE(MAGIC, 4);
  id.copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message with its length already counting the 24-byte attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR.integrity, mac)]);
}

export function parseStun(buf: Buffer): StunReply {
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= buf.length; ) {
    const len = buf.readUInt16BE(at + 2);
    attrs.set(buf.readUInt16BE(at), buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  const err = attrs.get(ATTR.error);
  return {
    ok: (buf.readUInt16BE(0) & 0x0110) !== 0x0110,
    ...(err && { code: (err.readUInt8(2) & 0x7) * 100 + err.readUInt8(3), reason: err.subarray(4).toString('utf8') }),
    attrs,
  };
}
