/**
 * The echo's queue (issue 34): each packet waits `delayMs`, then leaves in
 * order. Its cost is bounded whatever the caller sends: a token bucket
 * polices the rate in packets and in bytes (what exceeds it is dropped on
 * arrival, never queued), and the queue holds at most what the policed rate
 * can put in it over the delay, so a stalled pump cannot grow it either.
 * Voice needs far less: Opus sends 50 packets a second (100 with 10 ms
 * frames) of 20 to 160 bytes (at most 510 kbit/s).
 */

export interface EchoLimits {
  packetsPerS: number;
  bytesPerS: number;
  /** What may arrive at once above the rate. */
  burstPackets: number;
  burstBytes: number;
}

export const ECHO_LIMITS: EchoLimits = { packetsPerS: 100, bytesPerS: 64 * 1024, burstPackets: 50, burstBytes: 32 * 1024 };

export type EchoDrop = 'rate' | 'queue';

export class EchoQueue<T> {
  /** The most the queue holds. */
  readonly maxPackets: number;
  readonly maxBytes: number;
  private readonly items: { due: number; item: T; bytes: number }[] = [];
  private bytesQueued = 0;
  private packetTokens: number;
  private byteTokens: number;
  private refilledAt: number;
  /** The most it has held. */
  peakPackets = 0;
  peakBytes = 0;
  readonly dropped = { rate: 0, queue: 0 };

  constructor(
    private readonly delayMs: number,
    private readonly limits: EchoLimits = ECHO_LIMITS,
    now = Date.now(),
  ) {
    this.maxPackets = Math.ceil((limits.packetsPerS * delayMs) / 1000) + limits.burstPackets;
    this.maxBytes = Math.ceil((limits.bytesPerS * delayMs) / 1000) + limits.burstBytes;
    this.packetTokens = limits.burstPackets;
    this.byteTokens = limits.burstBytes;
    this.refilledAt = now;
  }

  get packets(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.bytesQueued;
  }

  /** Queues `item` to leave at now + delay, or says why it was dropped. */
  push(item: T, bytes: number, now = Date.now()): EchoDrop | undefined {
    const elapsedS = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    this.packetTokens = Math.min(this.limits.burstPackets, this.packetTokens + elapsedS * this.limits.packetsPerS);
    this.byteTokens = Math.min(this.limits.burstBytes, this.byteTokens + elapsedS * this.limits.bytesPerS);
    if (this.packetTokens < 1 || this.byteTokens < bytes) return this.drop('rate');
    this.packetTokens -= 1;
    this.byteTokens -= bytes;
    if (this.items.length + 1 > this.maxPackets || this.bytesQueued + bytes > this.maxBytes) return this.drop('queue');
    this.items.push({ due: now + this.delayMs, item, bytes });
    this.bytesQueued += bytes;
    this.peakPackets = Math.max(this.peakPackets, this.items.length);
    this.peakBytes = Math.max(this.peakBytes, this.bytesQueued);
    return undefined;
  }

  /** The items whose time has come, oldest first. */
  due(now = Date.now()): T[] {
    let n = 0;
    while (n < this.items.length && (this.items[n] as { due: number }).due <= now) n++;
    const out = this.items.splice(0, n);
    for (const o of out) this.bytesQueued -= o.bytes;
    return out.map((o) => o.item);
  }

  clear(): void {
    this.items.length = 0;
    this.bytesQueued = 0;
  }

  private drop(reason: EchoDrop): EchoDrop {
    this.dropped[reason]++;
    return reason;
  }
}
