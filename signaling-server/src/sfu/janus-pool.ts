/**
 * The Janus instances of PARLEY_JANUS_URL, and which one each call's room
 * is on: the least loaded reachable one when the room is first needed (the
 * people in all its rooms, as Janus counts them), the same for every node
 * after that (placement.ts), and another one, or the same again once it is
 * back, when the one it was on went away.
 */
import type { Logger } from '../logger.js';
import { JanusGateway } from './janus-gateway.js';
import type { RoomPlacement } from './placement.js';

/** Janus's WebSocket API (one URL per instance), the VideoRoom admin key, and Janus's api_secret if it asks for one. */
export interface JanusSettings {
  urls: readonly string[];
  adminKey: string;
  apiSecret?: string;
}

export interface PlacedGateway {
  gateway: JanusGateway;
  instance: number;
}

export class JanusPool {
  readonly gateways: readonly JanusGateway[];

  constructor(
    { urls, adminKey, apiSecret }: JanusSettings,
    private readonly placement: RoomPlacement,
    private readonly log: Logger,
  ) {
    this.gateways = urls.map((url) => new JanusGateway(url, adminKey, log, apiSecret));
  }

  /** The instance the call's room is on, placing it (least loaded) if nobody has. */
  async forCall(callId: string): Promise<PlacedGateway> {
    const placed = (await this.placement.get(callId)) ?? (await this.placement.claim(callId, await this.leastLoaded()));
    return this.placed(placed);
  }

  /**
   * The call's room could not be reached on `from`: it moves to the least
   * loaded instance that answers (which may be `from` again, back by now),
   * unless another node moved it first.
   */
  async moveOff(callId: string, from: number): Promise<PlacedGateway> {
    const to = await this.leastLoaded();
    const now = await this.placement.move(callId, from, to);
    if (now !== from) this.log.info({ callId, from: this.gateways[from]?.url, to: this.gateways[now]?.url }, 'SFU room moved to another Janus');
    return this.placed(now);
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.close()));
  }

  private placed(instance: number): PlacedGateway {
    const gateway = this.gateways[instance];
    // A placement from a node configured with more instances than this one: the first one stands in.
    if (!gateway) return { gateway: this.gateways[0] as JanusGateway, instance: 0 };
    return { gateway, instance };
  }

  /** The instance holding the fewest people; one that cannot be reached counts last. Rejects if none answers. */
  private async leastLoaded(): Promise<number> {
    if (this.gateways.length === 1) return 0;
    const loads = await Promise.allSettled(this.gateways.map((g) => g.load()));
    let best: { instance: number; load: number } | undefined;
    loads.forEach((l, instance) => {
      if (l.status === 'fulfilled' && (best === undefined || l.value < best.load)) best = { instance, load: l.value };
    });
    if (best === undefined) throw (loads[0] as PromiseRejectedResult).reason;
    return best.instance;
  }
}
