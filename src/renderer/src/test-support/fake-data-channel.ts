/**
 * RTCDataChannel as the chat and its files use it, for the renderer's unit
 * tests: records what is sent, and once two are joined (`join`) carries it to
 * the other end a task later, counting it in `bufferedAmount` until then, as
 * a real channel's buffer does.
 */
export class FakeDataChannel {
  readyState: RTCDataChannelState = 'connecting';
  binaryType: BinaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** Text sent. */
  sent: string[] = [];
  /** Binary frames sent. */
  frames: ArrayBuffer[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  /** Where what is sent arrives; none until joined. */
  other: FakeDataChannel | null = null;
  /** How long what is sent takes to arrive: channels are separate SCTP streams, so one may lag another. */
  delayMs = 0;
  /** Changes binary frames on the way: for tests of a damaged transfer. */
  tamper: ((data: ArrayBuffer) => ArrayBuffer) | null = null;

  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit,
  ) {}

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== 'open') throw new DOMException('not open', 'InvalidStateError');
    if (typeof data === 'string') this.sent.push(data);
    else this.frames.push(data);
    const other = this.other;
    if (!other) return;
    const size = typeof data === 'string' ? data.length : data.byteLength;
    this.bufferedAmount += size;
    setTimeout(() => {
      const before = this.bufferedAmount;
      this.bufferedAmount -= size;
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.onbufferedamountlow?.();
      if (other.readyState !== 'open') return;
      other.onmessage?.({ data: typeof data !== 'string' && this.tamper ? this.tamper(data) : data });
    }, this.delayMs);
  }

  close(): void {
    this.readyState = 'closed';
  }

  /** The transport went away (the peer left, the connection closed). */
  lost(): void {
    this.readyState = 'closed';
    this.onclose?.();
  }

  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }

  deliver(data: unknown): void {
    this.onmessage?.({ data });
  }
}

/** A peer connection that makes fake data channels, each found by its label. */
export function fakePeerConnection(): { pc: RTCPeerConnection; channels: Map<string, FakeDataChannel> } {
  const channels = new Map<string, FakeDataChannel>();
  const pc = {
    createDataChannel: (label: string, init: RTCDataChannelInit) => {
      const dc = new FakeDataChannel(label, init);
      channels.set(label, dc);
      return dc;
    },
  } as unknown as RTCPeerConnection;
  return { pc, channels };
}

/** Joins two connections' channels of the same label end to end and opens them. */
export function join(a: Map<string, FakeDataChannel>, b: Map<string, FakeDataChannel>): void {
  for (const [label, dc] of a) {
    const other = b.get(label);
    if (!other) continue;
    dc.other = other;
    other.other = dc;
  }
  for (const dc of [...a.values(), ...b.values()]) dc.open();
}
