/**
 * This node's link to Janus: one WebSocket connection and one Janus session
 * (kept alive by janode), made when the first participant publishes and made
 * again after Janus or the link went away. Rooms are created here with the
 * VideoRoom admin key; each Parley call has one room whose name and secret
 * every node derives alike from the call id, so two nodes sharing one Janus
 * agree on them without sharing anything else.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Connection, Session } from 'janode';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import { Janode, VideoRoomPlugin } from './janode-modules.js';
import type { Logger } from '../logger.js';
import { SFU_CALL_LIMIT } from './sfu.js';

/** The VideoRoom error codes Parley looks at (janus_videoroom.c). */
export const JANUS_NO_SUCH_ROOM = 426;
const JANUS_ROOM_EXISTS = 427;

/** janode rejects with an Error carrying Janus's code as `_code`. */
export function janusCode(err: unknown): number | undefined {
  const code = (err as { _code?: unknown } | null)?._code;
  return typeof code === 'number' ? code : undefined;
}


/** Talking, for Janus: the average level of TALKING_PACKETS packets above -TALKING_DBOV dBov (see ensureRoom). */
const TALKING_DBOV = 40;
const TALKING_PACKETS = 25;

export interface SfuRoom {
  /** The Parley call it is for: also the room's description in Janus, so a sweep can tell whose room it is. */
  callId: string;
  id: string;
  secret: string;
  /** Needed to join the room as publisher or subscriber: whoever reaches Janus's API without Parley cannot sit in a call. */
  pin: string;
}

// janode prints to the console (at "info" by default, and every failed reconnect while Janus is
// down as an error); Parley logs what matters itself, through its own logger, from the errors janode throws.
Janode.Logger.setLevel('none');

export class JanusGateway {
  private current: Promise<{ connection: Connection; session: Session }> | undefined;
  private readonly lostListeners = new Set<() => void>();
  /** The handles attach() gave out on the current session, until detached (sweep looks for those nobody owns). */
  private readonly attached = new Set<VideoRoomHandle>();
  /** What the last sweep found unowned (handles) or empty (room ids): gone at the next sweep if still so. */
  private suspects = { handles: new Set<VideoRoomHandle>(), rooms: new Set<string>() };

  constructor(
    readonly url: string,
    private readonly adminKey: string,
    private readonly log: Logger,
    /** Janus's api_secret (janus.jcfg): janode sends it with every request. */
    private readonly apiSecret?: string,
  ) {}

  /** Runs `fn` whenever the Janus session is lost (Janus stopped, the link broke): every handle on it is gone. */
  onLost(fn: () => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  /** The room of a Parley call: its id, secret and pin, derived, never sent to clients. */
  room(callId: string): SfuRoom {
    const derive = (what: string) => createHmac('sha256', this.adminKey).update(`${what}:${callId}`).digest('base64url');
    return { callId, id: `parley-${createHash('sha256').update(callId).digest('hex').slice(0, 32)}`, secret: derive('parley-room'), pin: derive('parley-room-pin') };
  }

  /** A new VideoRoom handle on this node's session, for a participant to own (see sweep). */
  async attach(): Promise<VideoRoomHandle> {
    const { session } = await this.session();
    const handle = await session.attach(VideoRoomPlugin);
    this.attached.add(handle);
    handle.once(Janode.EVENT.HANDLE_DETACHED, () => this.attached.delete(handle));
    return handle;
  }

  /** Creates the call's room unless it exists (another node or participant made it first). */
  ensureRoom(room: SfuRoom): Promise<void> {
    return this.withHandle(async (handle) => {
      const { exists } = await handle.exists({ room: room.id });
      if (exists) return;
      await handle
        .create({
          room: room.id,
          description: room.callId,
          secret: room.secret,
          pin: room.pin,
          admin_key: this.adminKey,
          is_private: true,
          max_publishers: SFU_CALL_LIMIT,
          audiocodec: 'opus',
          videocodec: 'vp8,vp9,h264',
          // Speech on lossy links (issue 39): Opus in-band FEC negotiated with every publisher and
          // subscriber, DTX off. RED (audio/red) is negotiated when the publisher offers it, as Parley's
          // app does (call/media/audio-protection.ts), and Janus relays it to the subscribers.
          opus_fec: true,
          opus_dtx: false,
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
    });
  }

  /** Destroys the call's room (its last publisher left); gone already is fine. */
  destroyRoom(room: SfuRoom): Promise<void> {
    return this.withHandle((handle) =>
      handle.destroy({ room: room.id, secret: room.secret }).then(
        () => undefined,
        (err: unknown) => {
          if (janusCode(err) !== JANUS_NO_SUCH_ROOM) throw err;
        },
      ),
    );
  }

  /** How many people Janus holds in all its rooms now (its load); rejects when it cannot be reached. */
  async load(): Promise<number> {
    const rooms = await this.rooms();
    return rooms.reduce((sum, room) => sum + (room.num_participants ?? 0), 0);
  }

  /**
   * Whether anyone is still in the room (publishing or subscribed) but
   * `leaving`: Janus lists a feed whose handle was just detached for a while
   * after the detach is answered.
   */
  occupied(room: SfuRoom, leaving?: number | string): Promise<boolean> {
    return this.withHandle(async (handle) => {
      try {
        const { participants } = await handle.listParticipants({ room: room.id, secret: room.secret });
        return participants.some((p) => leaving === undefined || String(p.feed) !== String(leaving));
      } catch (err) {
        if (janusCode(err) === JANUS_NO_SUCH_ROOM) return false;
        throw err;
      }
    });
  }

  /**
   * Detaches the handles of this node's session that no participant owns
   * (`owned`) now nor at the sweep before, and destroys Parley's rooms that
   * were empty both times: whatever escaped a participant's own clean-up,
   * or was left by a node that died. Twice, so a handle just attached and
   * not yet taken, or a room made for a publisher about to join, stays.
   * Does not connect to a Janus this node is not using.
   */
  async sweep(owned: ReadonlySet<VideoRoomHandle>): Promise<void> {
    if (!this.current) return;
    const previous = this.suspects;
    const handles = new Set([...this.attached].filter((h) => !owned.has(h)));
    const empty = (await this.rooms()).filter((r) => (r.num_participants ?? 0) === 0 && r.description !== undefined && this.room(r.description).id === String(r.room));
    this.suspects = { handles, rooms: new Set(empty.map((r) => String(r.room))) };
    const stale = [...handles].filter((h) => previous.handles.has(h));
    const gone = empty.filter((r) => previous.rooms.has(String(r.room)));
    if (stale.length + gone.length > 0) this.log.warn({ janus: this.url, handles: stale.length, rooms: gone.length }, 'SFU sweep: detaching handles and destroying rooms nobody owns');
    await Promise.all([
      ...stale.map((h) => h.detach().catch(() => undefined)),
      ...gone.map((r) => this.destroyRoom(this.room(r.description as string)).catch((err: unknown) => this.log.warn({ err, janus: this.url }, 'SFU sweep: room not destroyed'))),
    ]);
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    const link = await current.catch(() => undefined);
    await link?.session.destroy().catch(() => undefined);
    await link?.connection.close().catch(() => undefined);
  }

  /** Every room on this Janus, with its description and how many are in it. */
  private async rooms(): Promise<{ room: number | string; description?: string; num_participants?: number }[]> {
    return (await this.withHandle((handle) => handle.list({ admin_key: this.adminKey }))).list;
  }

  /** A handle for one request of the gateway's own, detached after it (never left for a sweep to find). */
  private async withHandle<T>(fn: (handle: VideoRoomHandle) => Promise<T>): Promise<T> {
    const { session } = await this.session();
    const handle = await session.attach(VideoRoomPlugin);
    try {
      return await fn(handle);
    } finally {
      await handle.detach().catch(() => undefined);
    }
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
    const connection = await Janode.connect({ address: { url: this.url, ...(this.apiSecret !== undefined && { apisecret: this.apiSecret }) }, retry_time_secs: 1, max_retries: 1 });
    const session = await connection.create().catch(async (err: unknown) => {
      await connection.close().catch(() => undefined);
      throw err;
    });
    let lost = false;
    const lose = (why: string) => {
      if (lost) return;
      lost = true;
      this.current = undefined;
      // Their handles went with the session.
      this.attached.clear();
      this.suspects = { handles: new Set(), rooms: new Set() };
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
