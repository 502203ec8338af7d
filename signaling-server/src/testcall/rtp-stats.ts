/**
 * What arrived of one RTP stream, counted the way RFC 3550 (A.3, A.8) says a
 * receiver does: packets received, packets lost (expected from the sequence
 * numbers minus received), and the interarrival jitter. Pure: the echo peer
 * feeds it each packet's sequence number, RTP timestamp and arrival time.
 */
export class RtpStats {
  private packets = 0;
  private firstSeq: number | undefined;
  /** The highest sequence number seen, unwrapped past 65535. */
  private maxSeq = 0;
  private jitter = 0;
  private lastTransit: number | undefined;

  constructor(private readonly clockRate: number) {}

  add(sequenceNumber: number, timestamp: number, arrivalMs: number): void {
    this.packets++;
    if (this.firstSeq === undefined) {
      this.firstSeq = sequenceNumber;
      this.maxSeq = sequenceNumber;
    } else {
      // The unwrapped number nearest the highest so far (a late packet may be a little behind).
      const base = this.maxSeq - (this.maxSeq & 0xffff);
      let seq = base + sequenceNumber;
      if (seq < this.maxSeq - 0x8000) seq += 0x10000;
      else if (seq > this.maxSeq + 0x8000) seq -= 0x10000;
      this.maxSeq = Math.max(this.maxSeq, seq);
    }
    const transit = (arrivalMs * this.clockRate) / 1000 - timestamp;
    if (this.lastTransit !== undefined) {
      let d = Math.abs(transit - this.lastTransit);
      // A timestamp that wrapped (2^32) is not jitter.
      if (d > 2 ** 31) d = Math.abs(d - 2 ** 32);
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  get summary(): { packets: number; lost: number; jitterMs: number } {
    const expected = this.firstSeq === undefined ? 0 : this.maxSeq - this.firstSeq + 1;
    return {
      packets: this.packets,
      lost: Math.max(0, expected - this.packets),
      jitterMs: Math.round(((this.jitter * 1000) / this.clockRate) * 10) / 10,
    };
  }
}
