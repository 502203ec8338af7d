/**
 * RED payloads (RFC 2198) with more earlier frames than the browser puts in.
 *
 * Chromium's RED for Opus carries one earlier frame in each packet: a packet
 * lost alone is rebuilt from the next, but a burst of two or more is not. How
 * many it carries is a field trial a page cannot set, so the sender's encoded
 * transform (red-depth.worker.ts) rewrites each payload: it keeps the last
 * primary frames and puts up to `copies` of them before the new one. The
 * receiver's jitter buffer (NetEq) splits any number of blocks, so only the
 * sender changes, and a receiver without RED never sees these payloads (RED
 * is then not negotiated, and plain Opus passes through untouched).
 *
 * A payload: for each earlier block a 4-byte header (F=1, payload type, the
 * timestamp offset in 14 bits, the length in 10), then a 1-byte header for
 * the primary (F=0, payload type), then the blocks' data, oldest first, the
 * primary last. Every block has the primary's payload type (Opus).
 */

/** One Opus frame as a RED block carries it. */
export interface RedBlock {
  /** RTP timestamp of the frame. */
  timestamp: number;
  data: Uint8Array;
}

const MAX_OFFSET = 1 << 14;
const MAX_LENGTH = 1 << 10;
/** Payload bytes a packet may grow to: well inside an Ethernet MTU with RTP, SRTP and the headers of the transport. */
export const MAX_PAYLOAD = 1000;

/** The primary block of a RED payload (its payload type and data); null when the payload is not well formed RED. */
export function redPrimary(payload: Uint8Array): { payloadType: number; data: Uint8Array } | null {
  let at = 0;
  let earlier = 0;
  while ((payload[at] ?? 0) & 0x80) {
    earlier += (((payload[at + 2] ?? 0) & 0x03) << 8) | (payload[at + 3] ?? 0);
    at += 4;
  }
  const start = at + 1 + earlier;
  return start > payload.length ? null : { payloadType: (payload[at] ?? 0) & 0x7f, data: payload.subarray(start) };
}

/** A RED payload of `earlier` (oldest first, each older than `primary` by less than 2^14 and under 1,024 bytes) then `primary`. */
export function redPayload(payloadType: number, primary: RedBlock, earlier: readonly RedBlock[]): Uint8Array {
  const out = new Uint8Array(earlier.reduce((n, b) => n + 4 + b.data.length, 1 + primary.data.length));
  let at = 0;
  for (const { timestamp, data } of earlier) {
    const offset = primary.timestamp - timestamp;
    out.set([0x80 | payloadType, offset >> 6, ((offset & 0x3f) << 2) | (data.length >> 8), data.length & 0xff], at);
    at += 4;
  }
  out[at++] = payloadType;
  for (const { data } of [...earlier, primary]) {
    out.set(data, at);
    at += data.length;
  }
  return out;
}

/**
 * The sender's last `keep` primary frames, as a function from the payload
 * the browser made (at RTP `timestamp`) to the one to send, carrying up to
 * `copies` earlier frames: null to send it as it is (one copy is the
 * browser's own, so is a history of one frame or none, and a payload that is
 * not RED, or is empty, is left alone).
 */
export function redCopier(keep: number): (payload: Uint8Array, timestamp: number, copies: number) => Uint8Array | null {
  let frames: RedBlock[] = [];
  let payloadType = -1;
  return (payload, timestamp, copies) => {
    const primary = redPrimary(payload);
    if (!primary || primary.data.length === 0 || primary.data.length >= MAX_LENGTH) return null;
    // A new payload type (a renegotiation) starts a new history: a block carries the primary's type.
    if (primary.payloadType !== payloadType) frames = [];
    payloadType = primary.payloadType;
    const block: RedBlock = { timestamp, data: primary.data.slice() };
    // The newest earlier frames that fit, while each is older than the last (a restarted clock ends the run).
    const earlier: RedBlock[] = [];
    let size = 1 + block.data.length;
    for (const frame of frames.toReversed()) {
      const offset = (timestamp - frame.timestamp) >>> 0;
      size += 4 + frame.data.length;
      if (earlier.length >= copies || offset === 0 || offset >= MAX_OFFSET || size > MAX_PAYLOAD) break;
      earlier.unshift({ timestamp: timestamp - offset, data: frame.data });
    }
    frames = [...frames, block].slice(-keep);
    // With one earlier frame or none kept yet (a history started afresh), the browser's payload is as good or better.
    return copies > 1 && earlier.length > 1 ? redPayload(payloadType, block, earlier) : null;
  };
}
