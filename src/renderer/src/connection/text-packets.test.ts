/**
 * Parley's text-only Socket.IO parser against socket.io-parser itself: the
 * same wire text both ways, the same refusals, and a binary message read
 * with its placeholders (the protocol's schemas then refuse it).
 */
import * as reference from 'socket.io-parser';
import { PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { Decoder, Encoder } from './text-packets.js';

const PACKETS: Packet[] = [
  { type: PacketType.CONNECT, nsp: '/', data: { token: 'a-token', watch: ['bob'] } },
  { type: PacketType.CONNECT, nsp: '/' },
  { type: PacketType.DISCONNECT, nsp: '/' },
  { type: PacketType.DISCONNECT, nsp: '/admin' },
  { type: PacketType.EVENT, nsp: '/', data: ['call:invite', { to: 'bob', media: 'audio', text: 'a, b: "c" 12' }] },
  { type: PacketType.EVENT, nsp: '/', id: 12, data: ['presence:set', { status: 'away' }] },
  { type: PacketType.EVENT, nsp: '/rooms', id: 3, data: [7, null, 'ünïcode ✓'] },
  { type: PacketType.ACK, nsp: '/', id: 12, data: [{ ok: true }] },
  { type: PacketType.ACK, nsp: '/', id: 4, data: [] },
  { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'unauthorized' } },
  { type: PacketType.CONNECT_ERROR, nsp: '/', data: 'denied' },
];

/** What socket.io-parser decodes `text` to, or the fact that it throws. */
function referenceDecode(text: string): Packet | 'throws' {
  const decoder = new reference.Decoder();
  let out: Packet | 'throws' = 'throws';
  decoder.on('decoded', (p: Packet) => (out = p));
  try {
    decoder.add(text);
  } catch {
    return 'throws';
  }
  return out;
}

function decode(...chunks: unknown[]): Packet[] {
  const decoder = new Decoder();
  const out: Packet[] = [];
  decoder.on('decoded', (p) => out.push(p));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

describe('text-packets', () => {
  it('writes what socket.io-parser writes, and reads it back as socket.io-parser does', () => {
    for (const packet of PACKETS) {
      const [text] = new reference.Encoder().encode(packet) as [string];
      expect(new Encoder().encode(packet)).toEqual([text]);
      expect(decode(text)).toEqual([referenceDecode(text)]);
    }
  });

  it('refuses what socket.io-parser refuses, and throws rather than emit', () => {
    const bad = ['9', 'x', '2{"a":1}', '2["connect"]', '2[', '0[1]', '1{}', '3{}', '5-[]', '511-["e"]'];
    for (const text of bad) {
      expect(referenceDecode(text), text).toBe('throws');
      expect(() => decode(text), text).toThrow();
    }
    // Its quirks, which no encoder writes (an empty packet, a space read as id 0, a namespace without its comma).
    for (const text of ['', '4 42', '2/admin']) expect(() => decode(text), text).toThrow();
    expect(() => decode(new Uint8Array([1, 2]))).toThrow();
  });

  it('reads a binary message as the plain one with its placeholders, and skips its attachments', () => {
    const [header, ...attachments] = new reference.Encoder().encode({
      type: PacketType.EVENT,
      nsp: '/',
      data: ['call:signal', { blob: new Uint8Array([1, 2, 3]), more: new Uint8Array([4]) }],
    }) as [string, ...Uint8Array[]];
    expect(header.startsWith('52-')).toBe(true);
    const [packet, ...rest] = decode(header, ...attachments, '2["after",1]');
    expect(packet).toEqual({ type: PacketType.EVENT, nsp: '/', data: ['call:signal', { blob: { _placeholder: true, num: 0 }, more: { _placeholder: true, num: 1 } }] });
    expect(rest).toEqual([{ type: PacketType.EVENT, nsp: '/', data: ['after', 1] }]);
    // Text while attachments are due is refused, as socket.io-parser refuses it.
    expect(() => decode(header, '2["early"]')).toThrow();
  });
});
