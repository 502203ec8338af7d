// The patch of ws in patches/ (applied by npm install): a server's receiver lets go of a frame's mask
// once the frame is read. The mask is a view of the chunk read from the socket; kept until the next
// frame, it held every connection's last chunk through young-generation collections (memory per client).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Receiver {
  _mask: Uint8Array | undefined;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): boolean;
}
const require = createRequire(import.meta.url);
const ReceiverClass = (require('ws') as { Receiver: new (options: { isServer: boolean }) => Receiver }).Receiver;

/** A client's text frame: masked, as RFC 6455 requires of every frame a client sends. */
function maskedFrame(text: string, mask = Buffer.from([0x12, 0x34, 0x56, 0x78])): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('short frames only');
  const masked = payload.map((b, i) => b ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

function receiver(): { r: Receiver; got: string[] } {
  const r = new ReceiverClass({ isServer: true });
  const got: string[] = [];
  r.on('message', (data) => got.push(data.toString()));
  return { r, got };
}

describe('ws receiver (patched)', () => {
  it('keeps no view of the chunk once a frame is read', () => {
    const { r, got } = receiver();
    r.write(Buffer.concat([maskedFrame('42["call:invite",{}]'), maskedFrame('2')]));
    expect(got).toEqual(['42["call:invite",{}]', '2']);
    expect(r._mask).toBeUndefined();
  });

  it('keeps the mask while the payload is still on its way, and unmasks it when it comes', () => {
    const { r, got } = receiver();
    const frame = maskedFrame('hello, Bob');
    r.write(frame.subarray(0, 8));
    expect(got).toEqual([]);
    expect(r._mask).toBeDefined();
    r.write(frame.subarray(8));
    expect(got).toEqual(['hello, Bob']);
    expect(r._mask).toBeUndefined();
  });
});
