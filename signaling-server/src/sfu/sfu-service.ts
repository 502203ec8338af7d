/**
 * The SFU path of a call (PROTOCOL.md, "Meetings on the SFU") where
 * PARLEY_JANUS_URL is set (sfu.ts otherwise): the `sfu:*` handlers, and the devices of this
 * node that are on Janus. A device's handles live on the node its
 * connection is on: what nodes must agree on is derived from the call id
 * (the room and its secret: janus-gateway.ts) or shared (which Janus the
 * room is on: janus-pool.ts), and each learns who publishes from Janus itself.
 */
import type { CallService } from '../calls/call-service.js';
import type { Logger } from '../logger.js';
import type { ServerToClientEvents, SfuDescription } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { deviceRoom, type ParleyServer } from '../realtime/types.js';
import type { CallStore, DeviceSession } from '../stores/types.js';
import { JanusPool, type JanusSettings, type PlacedGateway } from './janus-pool.js';
import { SfuParticipant } from './participant.js';
import type { RoomPlacement } from './placement.js';
import type { Sfu, SfuHandlers } from './sfu.js';


export interface SfuDeps {
  io: ParleyServer;
  calls: CallService;
  log: Logger;
  /** The Janus instances. */
  janus: JanusSettings;
  /** Which instance each call's room is on (shared by every node when there are several). */
  placement: RoomPlacement;
  /** The calls as every node sees them: a sweep reads whether a device is still in its call. */
  liveCalls: Pick<CallStore, 'get'>;
  /** How often the sweep runs (SWEEP_MS; tests make it short). */
  sweepMs?: number;
}

/** Between sweeps: a device whose call ended without it leaving holds its handles this long at most, a stray handle twice this. */
export const SWEEP_MS = 10_000;

export class SfuService implements Sfu {
  private readonly pool: JanusPool;
  /** This node's devices on the SFU, by device id. */
  private readonly devices = new Map<string, SfuParticipant>();
  /** Leaves under way, which shutdown waits for before it closes the Janus session. */
  private readonly leaving = new Set<Promise<void>>();
  /** Each device's sfu:* messages, hang-ups and leaves, one after another (inOrder). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly sweeper: NodeJS.Timeout;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: SfuDeps) {
    this.pool = new JanusPool(deps.janus, deps.placement, deps.log);
    for (const gateway of this.pool.gateways) {
      // Every handle on that Janus went with its session: each device there is told, and publishes again to come back.
      gateway.onLost(() => {
        for (const [device, p] of [...this.devices]) if (p.gateway === gateway) this.drop(device);
      });
    }
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err: unknown) => deps.log.warn({ err }, 'SFU sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, deps.sweepMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  readonly handlers: SfuHandlers = {
    'sfu:publish': ({ callId, description, screenMid }, { session }) => this.inOrder(session.device, async () => {
      const pool = this.pool;
      await this.deps.calls.participantOf(session, callId);
      const participant = this.devices.get(session.device);
      // Already on the SFU in this call: a renegotiation, on the same Janus.
      if (participant?.callId === callId) return { description: await this.publishAs(session, participant, description, screenMid) };
      if (participant) await this.leave(session.device);
      const placed = await pool.forCall(callId).catch((err: unknown) => {
        throw unreachable(err);
      });
      try {
        return { description: await this.publishAs(session, this.join(session, callId, placed), description, screenMid) };
      } catch (err) {
        // The room's Janus is gone (it stopped, or the link to it): the room moves to another that answers.
        if (pool.gateways.length === 1 || (await placed.gateway.load().then(() => true, () => false))) throw err;
        const moved = await pool.moveOff(callId, placed.instance).catch(() => {
          throw err;
        });
        return { description: await this.publishAs(session, this.join(session, callId, moved), description, screenMid) };
      }
    }),
    // After the publish before them: a candidate sent with its offer finds the connection the publish makes.
    'sfu:answer': ({ callId, description }, { session }) => this.onParticipant(session, callId, (p) => p.answer(description)),
    'sfu:candidate': ({ callId, connection, candidate }, { session }) => this.onParticipant(session, callId, (p) => p.candidate(connection, candidate)),
    'sfu:view': ({ callId, feeds }, { session }) => this.onParticipant(session, callId, (p) => p.setView(feeds)),
    'sfu:leave': ({ callId }, { session }) => this.inOrder(session.device, async () => {
      if (this.devices.get(session.device)?.callId === callId) await this.leave(session.device);
      return {};
    }),
  };

  left(device: string, callId?: string): Promise<void> {
    return this.inOrder(device, async () => {
      const participant = this.devices.get(device);
      if (participant && (callId === undefined || participant.callId === callId)) await this.leave(device);
    });
  }

  /**
   * What nobody owns goes. A device of this node whose call ended or went on
   * without it (by any path: another's hang-up, a deadline, a disable seen
   * on another node), or whose connection is gone, leaves the SFU; then each
   * Janus drops the handles and rooms no participant holds (JanusGateway.sweep).
   */
  async sweep(): Promise<void> {
    const connected = new Set([...this.deps.io.of('/').sockets.values()].map((s) => s.data.device));
    await Promise.all(
      [...this.devices].map(([device, participant]) =>
        this.inOrder(device, async () => {
          if (this.devices.get(device) !== participant) return;
          const call = connected.has(device) ? await this.deps.liveCalls.get(participant.callId) : undefined;
          if (call?.state === 'active' && call.participants.some((p) => p.device === device)) return;
          this.deps.log.info({ callId: participant.callId, username: participant.username }, 'SFU: a device no longer in its call leaves');
          await this.leave(device);
        }),
      ),
    );
    const owned = new Set([...this.devices.values()].flatMap((p) => p.handles()));
    await Promise.all(this.pool.gateways.map((g) => g.sweep(owned)));
  }

  /**
   * Runs each sfu:* message, leave or hang-up of a device after the ones
   * before it: a hang-up that came while a publish waited on Janus then
   * takes down what the publish made, two publishes never make two
   * participants, and a candidate or answer meets the handle it is for.
   */
  private inOrder<T>(device: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(device) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.queues.set(device, tail);
    void tail.then(() => {
      if (this.queues.get(device) === tail) this.queues.delete(device);
    });
    return run;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping;
    await Promise.all([...this.devices.keys()].map((d) => this.leave(d)));
    await Promise.all(this.leaving);
    await this.pool.close();
  }

  /** The device on the SFU in `callId`, on the Janus its room is on. */
  private join(session: DeviceSession, callId: string, { gateway }: PlacedGateway): SfuParticipant {
    const participant = new SfuParticipant(callId, session.username, gateway.room(callId), {
      gateway,
      log: this.deps.log,
      offer: (offer, streams) => this.emit(session.device, 'sfu:offer', { callId, description: offer, streams }),
      dropped: () => this.drop(session.device),
      talking: (username, talking) => this.emit(session.device, 'sfu:talking', { callId, username, talking }),
    });
    this.devices.set(session.device, participant);
    return participant;
  }

  /** Publishes the device's offer; a failure takes the device off the SFU (as `unavailable` unless refused). */
  private async publishAs(session: DeviceSession, participant: SfuParticipant, description: SfuDescription<'offer'>, screenMid: string | undefined): Promise<SfuDescription<'answer'>> {
    try {
      return await participant.publish(description, screenMid);
    } catch (err) {
      if (this.devices.get(session.device) === participant) await this.leave(session.device);
      throw unreachable(err);
    }
  }

  /** `fn` on the device's participant in `callId`, in the device's order; a failure of Janus is `unavailable`. */
  private onParticipant(session: DeviceSession, callId: string, fn: (p: SfuParticipant) => Promise<void>): Promise<Record<string, never>> {
    return this.inOrder(session.device, async () => {
      const participant = this.devices.get(session.device);
      if (participant?.callId !== callId) throw new RequestError('not_in_call', 'This device does not publish to the SFU in this call: sfu:publish first');
      await fn(participant).catch((err: unknown) => {
        throw unreachable(err);
      });
      return {};
    });
  }

  private leave(device: string): Promise<void> {
    const participant = this.devices.get(device);
    if (!participant) return Promise.resolve();
    this.devices.delete(device);
    const done = this.takeDown(participant).finally(() => this.leaving.delete(done));
    this.leaving.add(done);
    return done;
  }

  private async takeDown(participant: SfuParticipant): Promise<void> {
    const feed = participant.feed;
    await participant.close();
    // The last one out takes the room down (another node's participant may still be in it: Janus knows).
    const { gateway } = participant;
    try {
      if (!(await gateway.occupied(participant.room, feed))) await gateway.destroyRoom(participant.room);
    } catch (err) {
      this.deps.log.warn({ err, callId: participant.callId }, 'SFU room not cleaned up');
    }
  }

  private drop(device: string): void {
    const participant = this.devices.get(device);
    if (!participant) return;
    this.devices.delete(device);
    void participant.close();
    this.emit(device, 'sfu:closed', { callId: participant.callId });
  }

  private emit<E extends 'sfu:offer' | 'sfu:closed' | 'sfu:talking'>(device: string, event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    (this.deps.io.to(deviceRoom(device)).emit as (e: E, p: typeof payload) => boolean)(event, payload);
  }
}

/** A failure talking to Janus (not a refusal of ours) is `unavailable`: the client may try again. */
function unreachable(err: unknown): unknown {
  if (err instanceof RequestError) return err;
  return new RequestError('unavailable', `The SFU could not take this: ${err instanceof Error ? err.message.slice(0, 200) : 'no answer'}`);
}
