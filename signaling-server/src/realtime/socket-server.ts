/**
 * The Socket.IO side of the server: origin check, handshake auth, one device
 * session per connection, and the handlers for every client event.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { listDirectory } from '../accounts/directory-listing.js';
import type { UserRepository } from '../accounts/users.js';
import type { TokenService } from '../auth/tokens.js';
import type { CallService } from '../calls/call-service.js';
import type { RoomListing } from '../calls/room-listing.js';
import type { RoomOwner } from '../calls/room-owner.js';
import type { Sfu } from '../sfu/sfu.js';
import { recorders } from '../calls/membership.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { IceConfig } from '../ice-servers.js';
import { FORBIDDEN_HOST_MESSAGE, hostAllowed, type HostPolicy } from '../http/hosts.js';
import { originAllowed } from '../http/origins.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { PROTOCOL_VERSION, type ClientEvent, type ClientPayload, type ClientReplies, type IceGrant } from '../protocol/index.js';
import type { TestCalls } from '../testcall/test-calls.js';
import { viaProxy } from '../testcall/candidate-policy.js';
import { StoreUnavailableError, type Call, type DeviceSession, type Stores } from '../stores/types.js';
import type { AccountLimits } from './account-limits.js';
import { CallIce } from './call-ice.js';
import { DIRECTORY_ROOM, DirectoryFeed } from './directory-feed.js';
import { Dispatcher, withEarlyReads, type Handler, type HandlerContext, type Handlers } from './dispatch.js';
import { handshakeAuth } from './handshake.js';
import type { PresenceService } from './presence-service.js';
import type { TokenRefresher } from './token-refresh.js';
import { deviceRoom, NOBODY, userRoom, type ParleyServer, type ParleySocket } from './types.js';

export const MAX_MESSAGE_BYTES = 64 * 1024;

export function createIo(httpServer: HttpServer, allowedOrigins: readonly string[], metrics: Metrics, hosts?: HostPolicy): ParleyServer {
  const io: ParleyServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // A client that has not finished the handshake within this time is dropped.
    connectTimeout: 10_000,
    // A dead connection is noticed within 20 s (defaults: 45 s), so a call's
    // grace period starts soon after a device really went away.
    pingInterval: 10_000,
    pingTimeout: 10_000,
    allowRequest: (req, callback) => {
      if (!hostAllowed(req.headers.host, hosts)) {
        metrics.rejected.inc({ code: 'forbidden_host' });
        callback(FORBIDDEN_HOST_MESSAGE, false);
        return;
      }
      const ok = originAllowed(req.headers.origin, req.headers.host, allowedOrigins);
      if (!ok) metrics.rejected.inc({ code: 'forbidden_origin' });
      callback(ok ? null : 'Origin not allowed: add it to PARLEY_ALLOWED_ORIGINS', ok);
    },
    cors: { origin: (origin, cb) => cb(null, originAllowed(origin, undefined, allowedOrigins)), credentials: false },
  });
  // Each connection kept its first HTTP request (headers, raw headers, parser
  // state) for its whole life. Nothing reads it after the handshake (the
  // origin is checked in allowRequest, sign-in uses handshake.auth), so let
  // it go: Socket.IO's own tuning advice, worth about 1 KB per client.
  io.engine.on('connection', (raw: { request: { headers: Record<string, unknown> } | null; forwarded?: boolean }) => {
    raw.forwarded = viaProxy(raw.request?.headers ?? {}); // what the test call needs of it (testcall/candidate-policy.ts)
    raw.request = null;
  });
  return io;
}

export interface RealtimeDeps {
  io: ParleyServer;
  stores: Stores;
  users: UserRepository;
  tokens: TokenService;
  history: HistoryRepository;
  presence: PresenceService;
  calls: CallService;
  metrics: Metrics;
  log: Logger;
  /** STUN and TURN settings: STUN in session:ready, TURN credentials per call (call-ice.ts). */
  ice: IceConfig;
  messageRate: number;
  messageBurst: number;
  /** Refusals within 10 s after which a flooding connection is closed; 0: never. */
  floodDisconnect: number;
  /** True once shutdown has begun: disconnects then change no state. */
  closing: () => boolean;
  /** Per-account limits (status changes here; calls in CallService). */
  limits: AccountLimits;
  /** Who may change a room's join code. */
  roomOwner: RoomOwner;
  /** The team's rooms (room:list). */
  listing: Pick<RoomListing, 'list'>;
  /** The `sfu:*` handlers (off without PARLEY_JANUS_URL). */
  sfu: Sfu;
  /** Most devices one account may have connected at once. */
  maxDevices: number;
  /** The echo test calls this node answers. */
  testCalls: TestCalls;
  /** True while this node is cut off from Redis past the node timeout: new connections are refused `unavailable`. */
  cutOff: () => boolean;
  /** Sends sessions fresh tokens before theirs run out. */
  refresher: TokenRefresher;
}

/** Attaches the handlers; returns the live directory, for the account change feed to drive. */
/** The client messages that name a call (`callId`). */
type CallEvent = { [E in ClientEvent]: ClientPayload<E> extends { callId: string } ? E : never }[ClientEvent];

export function attachRealtime(deps: RealtimeDeps): DirectoryFeed {
  const { io, stores, users, history, presence, calls, log } = deps;
  const dispatcher = new Dispatcher({
    sessions: stores.sessions,
    metrics: deps.metrics,
    log,
    rate: deps.messageRate,
    burst: deps.messageBurst,
    floodDisconnect: deps.floodDisconnect,
  });
  const { watches } = presence;
  const listing = { users, statuses: (names: readonly string[]) => stores.presence.statuses(names) };
  const directory = new DirectoryFeed({ io, users, stores, watches, batches: presence.batches, log });
  const { refresher } = deps;
  const ice = new CallIce({ config: deps.ice, users, calls: stores.calls, log });
  const asker = ({ session, socket }: HandlerContext) => ({ session, userId: socket.data.userId });
  /** A call ack with the call's ICE servers, issued alongside the request (TURN to an enabled account only). */
  const withIce = async <T extends object>(ctx: HandlerContext, reply: Promise<T>): Promise<T & IceGrant> => {
    const [answer, grant] = await Promise.all([reply, ice.forAck(asker(ctx))]);
    return { ...answer, ...grant };
  };
  /** A handler for a message naming a call, given the call read beside the session check (one Redis round trip less). */
  const withCallRead = <E extends CallEvent>(
    handle: (payload: ClientPayload<E>, ctx: HandlerContext, read: Promise<Call | undefined> | undefined) => Promise<ClientReplies[E]>,
  ): Handler<E> => withEarlyReads<E, Call | undefined>(({ callId }) => calls.callRead(callId), handle);

  /** Who owns the room a device came into; not knowing it must not undo the join, so a failure leaves it out. */
  const ownershipOf = (session: DeviceSession, callId: string) =>
    deps.roomOwner.about(session, callId).catch((err: unknown) => {
      log.warn({ err, callId, username: session.username }, 'room owner unknown');
      return undefined;
    });

  /** Who records the call a device just came into: told in its ack, so it shows from the start. */
  /** Who records the call (`except` the device's own user, who knows whether it records). */
  const recordingOf = async (callId: string, except?: string) => {
    const call = await stores.calls.get(callId);
    const names = call ? recorders(call).filter((u) => u !== except) : [];
    return names.length > 0 ? { recording: names } : {};
  };

  const handlers: Handlers = {
    'presence:set': async ({ status }, { session }) => {
      await deps.limits.status(session.username);
      await stores.sessions.setStatus(session.sessionId, status);
      return { status: await presence.refresh(session.username) };
    },
    // What a device lists is what it shows: it watches them from now on, joined before the statuses are read.
    'directory:list': async ({ query, limit }, { session, socket }) => ({
      users: await listDirectory(listing, session.username, { query, limit }, (names) => watches.set(socket, 'listed', names)),
    }),
    'presence:watch': async ({ usernames }, { socket }) => {
      const names = [...new Set(usernames)];
      watches.set(socket, 'named', names);
      const status = await stores.presence.statuses(names);
      return { presence: names.map((username, i) => ({ username, status: status[i] ?? 'offline' })) };
    },
    'call:invite': withEarlyReads(
      // A consult (hold) reads once the held call is parked: its caller is in no call only then.
      ({ to, hold }, username) => (hold === undefined ? calls.inviteReads(username, to) : undefined),
      async ({ to, media, hold }, ctx, reads) =>
        withIce(ctx, calls.invite(ctx.session, to, media, ctx.afterReply, reads, hold).then(({ callId, early }) => ({ callId, ...(early && { early: true as const }) }))),
    ),
    'call:accept': withCallRead(
      async ({ callId, hold }, ctx, read) =>
        withIce(
          ctx,
          calls.accept(ctx.session, callId, ctx.afterReply, hold, read).then(async (participants) => {
            // Rung into a named room: who owns it, as a device joining it learns.
            const ownership = participants && (await ownershipOf(ctx.session, callId));
            const recording = participants ? await recordingOf(callId) : {};
            return { callId, polite: true, ...(participants && { participants }), ...(ownership && { ownership }), ...recording };
          }),
        ),
    ),
    'call:decline': async ({ callId, busy }, { session }) => {
      await calls.decline(session, callId, busy === true);
      return {};
    },
    'call:cancel': async ({ callId, to }, { session }) => {
      await calls.cancel(session, callId, to);
      return {};
    },
    'call:hangup': withCallRead(
      async ({ callId, reason, cause }, { session }, read) => {
        try {
          await calls.hangup(session, callId, reason === 'failed' && { ...(cause && { cause }) }, read);
        } finally {
          // Refused or not (the call may have ended meanwhile), this device is done with the call's SFU handles.
          await deps.sfu.left(session.device, callId);
        }
        return {};
      },
    ),
    'call:resume': async ({ callId, fresh }, ctx) => {
      const [reply, grant] = await Promise.all([calls.resume(ctx.session, callId, fresh === true), ice.forAck(asker(ctx))]);
      // A device back from a reload or a lost connection may have missed call:recording meanwhile.
      return reply.state === 'ended' ? reply : { ...reply, ...grant, ...(await recordingOf(callId, ctx.session.username)) };
    },
    'call:ice': async ({ callId }, ctx) => ice.refresh(asker(ctx), callId),
    'call:add': async ({ callId, to }, { session }) => {
      await calls.add(session, callId, to);
      return {};
    },
    'room:join': async ({ name, code, media }, ctx) =>
      withIce(
        ctx,
        calls.joinRoom(ctx.session, name, code, ctx.afterReply, media).then(async (joined) => {
          const ownership = await ownershipOf(ctx.session, joined.callId);
          return { ...joined, ...(ownership && { ownership }), ...(await recordingOf(joined.callId)) };
        }),
      ),
    'room:code': async ({ callId, code }, { session }) => {
      await deps.roomOwner.setCode(session, callId, code);
      return {};
    },
    'room:list': async () => deps.listing.list(),
    'call:signal': withCallRead(
      async (payload, { session }, read) => {
        await calls.signal(session, payload, read);
        return {};
      },
    ),
    'call:mute': withCallRead(
      async ({ callId, muted }, { session }, read) => {
        await calls.mute(session, callId, muted, read);
        return {};
      },
    ),
    'call:hold': withCallRead(
      async ({ callId, held }, { session }, read) => {
        await calls.hold(session, callId, held, read);
        return {};
      },
    ),
    'call:swap': async ({ callId }, { session }) => {
      await calls.swap(session, callId);
      return {};
    },
    'call:transfer': async (payload, { session, afterReply }) => {
      await calls.transfer(session, payload, afterReply);
      return {};
    },
    'call:merge': async ({ callId, with: withId }, { session, afterReply }) => {
      await calls.merge(session, callId, withId, afterReply);
      return {};
    },
    'call:recording': async ({ callId, on }, { session }) => {
      await calls.recording(session, callId, on);
      return {};
    },
    'call:note': async ({ callId }, { session }) => {
      await calls.noteChat(session, callId);
      return {};
    },
    'history:list': async ({ before, limit }, { session }) => {
      const since = (await users.find(session.username))?.createdAt ?? Date.now();
      return { calls: await history.list(session.username, { before, limit: limit ?? 50, since }, (names) => users.refs(names)) };
    },
    'history:seen': async (_payload, { session }) => {
      await users.markMissedSeen(session.username, Date.now());
      return {};
    },
    ...deps.sfu.handlers,
    'network:ice': async (_payload, ctx) => {
      await deps.limits.networkCheck(ctx.session.username);
      return ice.forCheck(asker(ctx));
    },
    'testcall:start': async ({ delayMs }, ctx) => {
      const { socket } = ctx;
      // Its TURN credentials come out of the network checks' count: outside a call, one limit for all of them.
      await deps.limits.networkCheck(ctx.session.username);
      const grant = await ice.forCheck(asker(ctx));
      const started = await deps.testCalls.start({ sessionId: socket.id, username: ctx.session.username, peer: { address: socket.handshake.address, forwarded: (socket.conn as unknown as { forwarded?: boolean }).forwarded === true } }, delayMs, grant.iceServers, {
        signal: (testId, signal) => socket.emit('testcall:signal', { testId, ...signal }),
        ended: (testId, reason) => socket.emit('testcall:ended', { testId, reason }),
      });
      return { ...started, ...grant };
    },
    'testcall:signal': async ({ testId, description, candidate }, { socket }) => {
      await deps.testCalls.signal(socket.id, testId, { ...(description && { description }), ...(candidate !== undefined && { candidate }) });
      return {};
    },
    'testcall:stop': async ({ testId }, { socket }) => deps.testCalls.stop(socket.id, testId),
  };

  const authenticate = handshakeAuth(deps);
  io.use((socket, next) => {
    authenticate(socket, next).catch((err: unknown) => {
      log.error({ err }, 'handshake failed');
      next(new Error('The server could not check this sign-in'));
    });
  });
  io.on('connection', (socket: ParleySocket) => {
    const ready = startSession(socket);
    ready.catch((err: unknown) => {
      if (err instanceof StoreUnavailableError) {
        // The client reconnects by itself after a transport close (not after a disconnect), until the store is back.
        log.warn({ username: socket.data.username, store: err.store }, 'session could not start: a shared store is unreachable');
        socket.conn.close();
        return;
      }
      log.error({ err, username: socket.data.username }, 'session start failed');
      socket.disconnect(true);
    });
    // Handlers are attached at once so nothing the client sends is dropped; they wait for `ready`.
    dispatcher.attach(socket, ready, handlers);
    socket.on('disconnect', (reason) => {
      dispatcher.forget(socket.id);
      watches.forget(socket.id);
      presence.batches.remove(socket.id);
      refresher.forget(socket.id);
      // Its SFU handles end with the connection that owns them: back, it publishes again.
      void deps.sfu.left(socket.data.device).catch((err: unknown) => log.warn({ err }, 'SFU leave failed'));
      deps.testCalls.endSession(socket.id);
      if (deps.closing()) return;
      // Also when the session failed to start part-way: endSession is safe on partial state.
      // After the messages still being handled: what they make (a call placed) is then ended with the rest.
      void ready
        .catch(() => undefined)
        .then(() => dispatcher.settled(socket.id))
        .then(() => endSession(socket))
        .catch((err: unknown) => {
          // Redis away (every connection at once when the node is cut off): reconcile or the other nodes remove it (node-registry.ts).
          if (err instanceof StoreUnavailableError) log.debug({ username: socket.data.username }, 'session teardown waits for Redis');
          else log.error({ err, username: socket.data.username }, 'session teardown failed');
        })
        .finally(() => log.debug({ username: socket.data.username, sessionId: socket.id, reason }, 'device disconnected'));
    });
  });

  async function startSession(socket: ParleySocket): Promise<void> {
    // The session's record was written by the handshake, which reserved its place (handshake.ts).
    const { username, displayName, missedSeenAt, accountCreatedAt, device, replaces } = socket.data;
    // One connection per device: an older one is a dead connection the server has
    // not noticed yet, or a copy of this window (a duplicated tab), which is told.
    // Never this connection: with several nodes the disconnect request reaches
    // every node (this one too) after this connection has joined the room. Only
    // when the store had an older session: most connections replace nothing, and
    // with several nodes each broadcast is a message through Redis.
    const room = deviceRoom(device);
    if (replaces) {
      io.to(room).except(socket.id).emit('session:replaced', {});
      io.in(room).except(socket.id).disconnectSockets();
    }
    // A device watches its own user from the start, and nobody else until it
    // lists or names them. Joined before the snapshot so no delta falls between.
    watches.start(socket);
    // The contact list named in the handshake is a listing like directory:list's, read together with the rest.
    const { watch } = socket.data;
    if (watch.length > 0) watches.set(socket, 'listed', watch);
    socket.data.watch = NOBODY;
    await socket.join([userRoom(username), room]);
    // The missed count reads history only: it need not wait for presence (a store round trip with several nodes).
    const [status, missedCalls, statuses] = await Promise.all([
      presence.refresh(username),
      history.missedCount(username, Math.max(missedSeenAt, accountCreatedAt)),
      watch.length > 0 ? stores.presence.statuses(watch) : [],
    ]);
    // Directory changes from here on, never before session:ready (the join is
    // synchronous with this server's adapters); the device's first listing,
    // sent after it, holds the earlier ones.
    void socket.join(DIRECTORY_ROOM);
    socket.emit('session:ready', {
      protocol: PROTOCOL_VERSION,
      user: { username, displayName },
      sessionId: socket.id,
      status,
      iceServers: ice.sessionServers(),
      missedCalls,
      presence: [{ username, status }, ...watch.map((u, i) => ({ username: u, status: statuses[i] ?? 'offline' }))],
      testCall: deps.testCalls.enabled,
    });
    refresher.start(socket);
    // At debug: a team signing in at once is thousands of lines, a twentieth of the sign-ins' CPU at info
    // (BENCHMARKS.md, login storm); parley_connected_sessions counts them.
    log.debug({ username, sessionId: socket.id }, 'device connected');
  }

  async function endSession(socket: ParleySocket): Promise<void> {
    const session = await stores.sessions.remove(socket.id);
    if (session) await calls.disconnected(session);
    await presence.refresh(socket.data.username);
  }

  return directory;
}
