import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD, redCopier, redPayload, redPrimary } from './red-blocks.js';

const OPUS = 111;
const FRAME = 960; // 20 ms at 48 kHz

/** Every block of a RED payload as a receiver splits it (RFC 2198): payload type, timestamp offset, data. */
function split(payload: Uint8Array): { payloadType: number; offset: number; data: number[] }[] {
  const headers: { payloadType: number; offset: number; length: number }[] = [];
  let at = 0;
  while (payload[at]! & 0x80) {
    headers.push({
      payloadType: payload[at]! & 0x7f,
      offset: (payload[at + 1]! << 6) | (payload[at + 2]! >> 2),
      length: ((payload[at + 2]! & 0x03) << 8) | payload[at + 3]!,
    });
    at += 4;
  }
  const primaryType = payload[at]! & 0x7f;
  at += 1;
  const blocks = headers.map((h) => {
    const data = [...payload.subarray(at, at + h.length)];
    at += h.length;
    return { payloadType: h.payloadType, offset: h.offset, data };
  });
  return [...blocks, { payloadType: primaryType, offset: 0, data: [...payload.subarray(at)] }];
}

/** What Chromium's RED encoder sends for frame `n`: the frame before it, then frame `n` (bytes n, n, …). */
function browserPayload(n: number, size = 3): Uint8Array {
  const frame = (k: number) => new Array<number>(size).fill(k);
  if (n === 0) return new Uint8Array([OPUS, ...frame(0)]);
  return new Uint8Array([0x80 | OPUS, FRAME >> 6, ((FRAME & 0x3f) << 2) | (size >> 8), size & 0xff, OPUS, ...frame(n - 1), ...frame(n)]);
}

describe('redPrimary', () => {
  it('finds the primary after the earlier blocks, and in a payload without any', () => {
    expect(redPrimary(browserPayload(5))).toEqual({ payloadType: OPUS, data: new Uint8Array([5, 5, 5]) });
    expect(redPrimary(browserPayload(0))).toEqual({ payloadType: OPUS, data: new Uint8Array([0, 0, 0]) });
  });

  it('refuses what is not well formed RED: empty, headers only, blocks longer than the payload', () => {
    expect(redPrimary(new Uint8Array([]))).toBeNull();
    expect(redPrimary(new Uint8Array([0x80 | OPUS, 0, 0, 3]))).toBeNull();
    expect(redPrimary(new Uint8Array([0x80 | OPUS, 0, 0, 9, OPUS, 1, 2]))).toBeNull();
  });
});

describe('redPayload', () => {
  it('lays the earlier blocks out oldest first, with their offsets and lengths, the primary last', () => {
    const payload = redPayload(OPUS, { timestamp: 10_000, data: new Uint8Array([3]) }, [
      { timestamp: 10_000 - 2 * FRAME, data: new Uint8Array([1, 1]) },
      { timestamp: 10_000 - FRAME, data: new Uint8Array([2, 2, 2]) },
    ]);
    expect(split(payload)).toEqual([
      { payloadType: OPUS, offset: 2 * FRAME, data: [1, 1] },
      { payloadType: OPUS, offset: FRAME, data: [2, 2, 2] },
      { payloadType: OPUS, offset: 0, data: [3] },
    ]);
  });
});

describe('redCopier', () => {
  it('sends the browser payload as it is with one copy, keeping the frames for later', () => {
    const copy = redCopier(3);
    expect(copy(browserPayload(0), 0, 1)).toBeNull();
    expect(copy(browserPayload(1), FRAME, 1)).toBeNull();
    expect(split(copy(browserPayload(2), 2 * FRAME, 3)!).map((b) => [b.offset, b.data[0]])).toEqual([
      [2 * FRAME, 0],
      [FRAME, 1],
      [0, 2],
    ]);
  });

  it('carries at most the copies asked for, the newest ones, however many it keeps', () => {
    const copy = redCopier(3);
    let last: Uint8Array | null = null;
    for (let n = 0; n < 10; n++) last = copy(browserPayload(n), n * FRAME, n < 9 ? 1 : 2);
    expect(split(last!).map((b) => b.data[0])).toEqual([7, 8, 9]);
    expect(copy(browserPayload(10), 10 * FRAME, 3)!.length).toBe(1 + 3 * 4 + 4 * 3);
  });

  it('gives the right offsets across the 32-bit timestamp wrap', () => {
    const copy = redCopier(3);
    const start = 2 ** 32 - 2 * FRAME;
    copy(browserPayload(0), start, 3);
    copy(browserPayload(1), start + FRAME, 3);
    const blocks = split(copy(browserPayload(2), 0, 3)!);
    expect(blocks.map((b) => [b.offset, b.data[0]])).toEqual([
      [2 * FRAME, 0],
      [FRAME, 1],
      [0, 2],
    ]);
  });

  it('starts again after a gap too long for the offset field, a clock gone back, or a new payload type, sending the browser payload until two frames are kept', () => {
    const gap = redCopier(3);
    gap(browserPayload(0), 0, 3);
    gap(browserPayload(1), FRAME, 3);
    expect(gap(browserPayload(2), (1 << 14) + FRAME, 3)).toBeNull();
    expect(gap(browserPayload(3), (1 << 14) + 2 * FRAME, 3)).toBeNull();
    expect(split(gap(browserPayload(4), (1 << 14) + 3 * FRAME, 3)!).map((b) => b.data[0])).toEqual([2, 3, 4]);

    const back = redCopier(3);
    back(browserPayload(0), 5 * FRAME, 3);
    back(browserPayload(1), 6 * FRAME, 3);
    expect(back(browserPayload(2), 5 * FRAME, 3)).toBeNull();

    const retyped = redCopier(3);
    retyped(browserPayload(0), 0, 3);
    retyped(browserPayload(1), FRAME, 3);
    const other = (n: number) => new Uint8Array([100, n, n]);
    expect(retyped(other(7), 2 * FRAME, 3)).toBeNull();
    retyped(other(8), 3 * FRAME, 3);
    expect(split(retyped(other(9), 4 * FRAME, 3)!)).toEqual([
      { payloadType: 100, offset: 2 * FRAME, data: [7, 7] },
      { payloadType: 100, offset: FRAME, data: [8, 8] },
      { payloadType: 100, offset: 0, data: [9, 9] },
    ]);
  });

  it('keeps a packet within MAX_PAYLOAD, dropping the oldest copies first', () => {
    const copy = redCopier(3);
    const size = 300;
    for (let n = 0; n < 3; n++) copy(browserPayload(n, size), n * FRAME, 3);
    const payload = copy(browserPayload(3, size), 3 * FRAME, 3)!;
    expect(payload.length).toBeLessThanOrEqual(MAX_PAYLOAD);
    expect(split(payload).map((b) => b.data[0])).toEqual([1, 2, 3]);
  });

  it('leaves a payload that is not RED, or an empty frame, alone and out of the history', () => {
    const copy = redCopier(3);
    expect(copy(new Uint8Array([0x80 | OPUS, 0, 0]), 0, 3)).toBeNull();
    expect(copy(new Uint8Array([OPUS]), FRAME, 3)).toBeNull();
    // Neither is kept: the next two have too few earlier frames to beat the browser's payload.
    expect(copy(browserPayload(2), 2 * FRAME, 3)).toBeNull();
    expect(copy(browserPayload(3), 3 * FRAME, 3)).toBeNull();
    expect(split(copy(browserPayload(4), 4 * FRAME, 3)!).map((b) => b.data[0])).toEqual([2, 3, 4]);
  });
});
