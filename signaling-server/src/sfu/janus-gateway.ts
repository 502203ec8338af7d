/**
 * This node's link to Janus: one WebSocket connection and one Janus session
 * (kept alive by janode), made when the first participant publishes and made
 * again after Janus or the link went away. Rooms are created here with the
 * VideoRoom admin key; each Parley call has one room whose name and secret
 * every node derives alike from the call id, so two nodes sharing one Janus
 * agree on them without sharing anything else.
 */
import { createHash, createHmac } from 'node:crypto';
import Janode, { type Connection, type Session } from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { Logger } from '../logger.js';

/** The VideoRoom error codes Parley looks at (janus_videoroom.c). */
export const JANUS_NO_SUCH_ROOM = 426;
const JANUS_ROOM_EXISTS = 427;

/** janode rejects with an Error carrying Janus's code as `_code`. */
export function janusCode(err: unknown): number | undefined {
  const code = (err as { _code?: unknown } | null)?._code;
  return typeof code === 'number' ? code : undefined;
}

/** Most publishers in one room (a Janus room per call): the most people a call on the SFU holds. */
export const SFU_CALL_LIMIT = 64;

/** Talking, for Janus: the average level of TALKING_PACKETS packets above -TALKING_DBOV dBov (see ensureRoom). */
const TALKING_DBOV = 40;
const TALKING_PACKETS = 25;

export interface SfuRoom {
  id: string;
  secret: string;
}

// janode prints to the console (at "info" by default, and every failed reconnect while Janus is
// down as an error); Parley logs what matters itself, through its own logger, from the errors janode throws.
Janode.Logger.setLevel('none');

export class JanusGateway {
  private current: Promise<{ connection: Connection; session: Session }> | undefined;
  private readonly lostListeners = new Set<() => void>();

  constructor(
    readonly url: string,
    private readonly adminKey: string,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` whenever the Janus session is lost (Janus stopped, the link broke): every handle on it is gone. */
  onLost(fn: () => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  /** The room of a Parley call: its id and secret, derived, never sent to clients. */
  room(callId: string): SfuRoom {
    return {
      id: `parley-${createHash('sha256').update(callId).digest('hex').slice(0, 32)}`,
      secret: createHmac('sha256', this.adminKey).update(`parley-room:${callId}`).digest('base64url'),
    };
  }

  /** A new VideoRoom handle on this node's session. */
  async attach(): Promise<VideoRoomHandle> {
    const { session } = await this.session();
    return session.attach(VideoRoomPlugin);
  }

  /** Creates the call's room unless it exists (another node or participant made it first). */
  async ensureRoom(room: SfuRoom): Promise<void> {
    const handle = await this.attach();
    try {
      const { exists } = await handle.exists({ room: room.id });
      if (exists) return;
      await handle
        .create({
          room: room.id,
          secret: room.secret,
          admin_key: this.adminKey,
          is_private: true,
          max_publishers: SFU_CALL_LIMIT,
          audiocodec: 'opus',
          videocodec: 'vp8,vp9,h264',
          // Who talks drives the speaking rings and the large tile (sfu:talking). Janus's defaults (an
          // average above -25 dBov over 100 packets) want loud, steady sound and decide every 2 s: a
          // ring would light seconds late and miss quieter voices. These follow the app's own rule for
          // a ring (call/speaking.ts: -40 dBov, held 400 ms): above -40 dBov on average over 25
          // packets (500 ms of 20 ms Opus frames).
          talking_events: true,
          talking_level_threshold: TALKING_DBOV,
          talking_packets_threshold: TALKING_PACKETS,
        })
        .catch((err: unknown) => {
          if (janusCode(err) !== JANUS_ROOM_EXISTS) throw err;
        });
    } finally {
      await handle.detach().catch(() => undefined);
    }
  }

  /** Destroys the call's room (its last publisher left); gone already is fine. */
  async destroyRoom(room: SfuRoom): Promise<void> {
    const handle = await this.attach();
    try {
      await handle.destroy({ room: room.id, secret: room.secret }).catch((err: unknown) => {
        if (janusCode(err) !== JANUS_NO_SUCH_ROOM) throw err;
      });
    } finally {
      await handle.detach().catch(() => undefined);
    }
  }

  /** How many people Janus holds in all its rooms now (its load); rejects when it cannot be reached. */
  async load(): Promise<number> {
    const handle = await this.attach();
    try {
      const { list } = await (handle as VideoRoomHandle & {
        list(p: { admin_key: string }): Promise<{ list: { num_participants?: number }[] }>;
      }).list({ admin_key: this.adminKey });
      return list.reduce((sum, room) => sum + (room.num_participants ?? 0), 0);
    } finally {
      await handle.detach().catch(() => undefined);
    }
  }

  /** Whether anyone is still in the room (publishing or subscribed). */
  async occupied(room: SfuRoom): Promise<boolean> {
    const handle = await this.attach();
    try {
      const found = await (handle as VideoRoomHandle & {
        listParticipants(p: { room: string; secret: string }): Promise<{ participants: unknown[] }>;
      }).listParticipants({ room: room.id, secret: room.secret });
      return found.participants.length > 0;
    } catch (err) {
      if (janusCode(err) === JANUS_NO_SUCH_ROOM) return false;
      throw err;
    } finally {
      await handle.detach().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    const link = await current.catch(() => undefined);
    await link?.session.destroy().catch(() => undefined);
    await link?.connection.close().catch(() => undefined);
  }

  private session(): Promise<{ connection: Connection; session: Session }> {
    if (!this.current) {
      const made = this.connect();
      this.current = made;
      // A failed attempt is not kept: the next request tries again.
      made.catch((err: unknown) => {
        if (this.current === made) this.current = undefined;
        this.log.warn({ janus: this.url, err }, 'cannot reach the SFU');
      });
    }
    return this.current;
  }

  private async connect(): Promise<{ connection: Connection; session: Session }> {
    const connection = await Janode.connect({ address: { url: this.url }, retry_time_secs: 1, max_retries: 1 });
    const session = await connection.create().catch(async (err: unknown) => {
      await connection.close().catch(() => undefined);
      throw err;
    });
    let lost = false;
    const lose = (why: string) => {
      if (lost) return;
      lost = true;
      this.current = undefined;
      this.log.warn({ janus: this.url, why }, 'SFU session lost');
      for (const fn of this.lostListeners) fn();
    };
    connection.once(Janode.EVENT.CONNECTION_CLOSED, () => lose('connection closed'));
    connection.once(Janode.EVENT.CONNECTION_ERROR, () => lose('connection error'));
    session.once(Janode.EVENT.SESSION_DESTROYED, () => lose('session destroyed'));
    this.log.info({ janus: this.url, session: session.id }, 'SFU session started');
    return { connection, session };
  }
}
