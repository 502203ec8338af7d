/**
 * Connection against a real Socket.IO server that comes and goes: offline
 * with the next attempt scheduled and no transport text kept, back online by
 * itself, "Retry now", and the backoff's schedule; a refreshed token stored
 * and presented, and sign-out telling the server when it can.
 */
import type { SessionReady } from 'parley-server/protocol';
import { Server, type Socket } from 'socket.io';
import type { StoredSession } from '../../../shared/ipc.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionStore } from './session-store.js';
import { Connection, RETRY_FIRST_MS, RETRY_IN_CALL_MAX_MS, RETRY_MAX_MS, retryDelay, type ConnectionHooks } from './connection.svelte.js';

const READY: SessionReady = {
  protocol: 2,
  user: { username: 'alice', displayName: 'Alice' },
  sessionId: 'Wq3zYk0bX9_aA1bCAAAB',
  status: 'available',
  iceServers: [],
  missedCalls: 0,
  presence: [],
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  vi.restoreAllMocks();
});

/** A Socket.IO server that says session:ready to each client, on a port it can stop and start again. */
async function server() {
  let port = 0;
  let io: Server | null = null;
  const start = async () => {
    const server = new Server();
    io = server;
    server.on('connection', (socket) => socket.emit('session:ready', READY));
    server.listen(port);
    const http = server.httpServer as unknown as { listening: boolean; once(e: 'listening', l: () => void): void; address(): { port: number } };
    if (!http.listening) await new Promise<void>((resolve) => http.once('listening', resolve));
    port = http.address().port;
  };
  const stop = async () => {
    const server = io;
    io = null;
    if (server) await new Promise<void>((resolve) => void server.close(() => resolve()));
  };
  await start();
  cleanups.push(stop);
  return { url: () => `http://127.0.0.1:${port}`, start, stop };
}

function connection(): { connection: Connection; hooks: { accepted: number; ready: number; lost: number } } {
  const counts = { accepted: 0, ready: 0, lost: 0 };
  const hooks: ConnectionHooks = {
    status: () => 'available',
    accepted: () => counts.accepted++,
    ready: () => counts.ready++,
    lost: () => counts.lost++,
    signedOut: () => undefined,
    replaced: () => undefined,
  };
  // The session is remembered in the desktop bridge's store (stubbed); a test that reads its saves stubbed it first.
  if (typeof window === 'undefined') desktopStore();
  const c = new Connection(hooks);
  cleanups.push(() => c.dispose());
  return { connection: c, hooks: counts };
}

/** Signs in as a returning start does: with the session remembered in the (desktop) store. */
async function begin(c: Connection, url: string): Promise<void> {
  await sessionStore().save({ serverUrl: url, token: 'a-token', expiresAt: Date.now() + 60_000, user: READY.user });
  await c.restore();
}

describe('Connection', () => {
  it('goes offline with the next attempt scheduled, and back online by itself when the server returns', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const s = await server();
    const { connection: c, hooks } = connection();
    await begin(c, s.url());
    // vi.waitFor's default second is short on a loaded 2-core machine (seen failing beside a CI run).
    const patient = { timeout: 5000, interval: 20 };
    await vi.waitFor(() => expect(c.state).toBe('online'), patient);
    expect(hooks.ready).toBe(1);
    expect(c.host).toBe(new URL(s.url()).host);

    await s.stop();
    await vi.waitFor(() => expect(c.state).toBe('offline'), patient);
    expect(hooks.lost).toBe(1);
    // When the next try comes is known (the banner counts down to it); a transport error is no problem in words.
    await vi.waitFor(() => expect(c.retryAt).not.toBeNull(), patient);
    expect(c.problem).toBeNull();

    await s.start();
    // The backoff is at most 10 s × 1.5 between attempts; the test waits for them.
    await vi.waitFor(() => expect(c.state).toBe('online'), { timeout: 20_000, interval: 100 });
    expect(hooks.ready).toBe(2);
    expect(c.retryAt).toBeNull();
  }, 30_000);

  it('asks for what the first screen needs once the handshake is accepted, without waiting for session:ready', async () => {
    // A server slow to set the session up (stores, presence): the request is with it before session:ready leaves.
    const order: string[] = [];
    const io = new Server();
    io.on('connection', (socket) => {
      socket.on('directory:list', (_payload: unknown, ack: (reply: unknown) => void) => {
        order.push('directory:list');
        ack({ ok: true, users: [] });
      });
      setTimeout(() => {
        order.push('session:ready');
        socket.emit('session:ready', READY);
      }, 300);
    });
    io.listen(0);
    cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
    const http = io.httpServer as unknown as { listening: boolean; once(e: 'listening', l: () => void): void; address(): { port: number } };
    if (!http.listening) await new Promise<void>((resolve) => http.once('listening', resolve));
    const replies: unknown[] = [];
    desktopStore();
    const c: Connection = new Connection({
      status: () => 'available',
      accepted: () => void c.request('directory:list', { limit: 500 }).then((reply) => replies.push(reply)),
      ready: () => undefined,
      lost: () => undefined,
      signedOut: () => undefined,
      replaced: () => undefined,
    });
    cleanups.push(() => c.dispose());
    await begin(c, `http://127.0.0.1:${http.address().port}`);
    await vi.waitFor(() => expect(c.state).toBe('online'), { timeout: 5000 });
    expect(order).toEqual(['directory:list', 'session:ready']);
    expect(replies).toEqual([{ ok: true, users: [] }]);
  });

  it('"Retry now" tries at once instead of at the scheduled time', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const s = await server();
    const { connection: c } = connection();
    await begin(c, s.url());
    await vi.waitFor(() => expect(c.state).toBe('online'));
    await s.stop();
    // Several failures: the next attempt is seconds away.
    await vi.waitFor(() => expect(c.retryAt !== null && c.retryAt - Date.now() > 1500).toBe(true), { timeout: 15_000, interval: 50 });
    await s.start();
    c.retryNow();
    expect(c.state).toBe('connecting');
    await vi.waitFor(() => expect(c.state).toBe('online'), { timeout: 1000 });
  }, 30_000);
});

/** A Socket.IO server that runs `onConnection` for each client, recording the tokens presented. */
async function sessionServer(onConnection: (socket: Socket) => void) {
  const seen = { tokens: [] as string[] };
  const io = new Server();
  io.on('connection', (socket) => {
    seen.tokens.push((socket.handshake.auth as { token: string }).token);
    socket.emit('session:ready', READY);
    onConnection(socket);
  });
  io.listen(0);
  const http = io.httpServer as unknown as { listening: boolean; once(e: 'listening', l: () => void): void; address(): { port: number } };
  if (!http.listening) await new Promise<void>((resolve) => http.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return { url: `http://127.0.0.1:${http.address().port}`, seen, io };
}

/** fetch as the API module calls it: records POST /api/logout (204), or fails like an unreachable server. */
function fakeFetch(reachable: boolean): { logouts: { url: string; authorization: string | null }[] } {
  const record = { logouts: [] as { url: string; authorization: string | null }[] };
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    if (!reachable) return Promise.reject(new TypeError('fetch failed'));
    record.logouts.push({ url, authorization: new Headers(init.headers).get('authorization') });
    return Promise.resolve(new Response(null, { status: 204 }));
  });
  return record;
}

/** The desktop bridge's session store (main keeps it), recording every save. */
function desktopStore(): { saved: StoredSession[]; cleared: number } {
  const record = { saved: [] as StoredSession[], cleared: 0 };
  vi.stubGlobal('window', {
    parley: {
      session: {
        load: () => Promise.resolve(record.saved.at(-1) ?? null),
        save: (s: StoredSession) => {
          record.saved.push(s);
          return Promise.resolve();
        },
        clear: () => {
          record.cleared++;
          return Promise.resolve();
        },
      },
    },
  });
  cleanups.push(() => {
    vi.unstubAllGlobals();
  });
  return record;
}

describe('Connection and the sign-in token', () => {
  it('stores a refreshed token in place of the old one and presents it at the next connect', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = desktopStore();
    const expiresAt = Date.now() + 7 * 86_400_000;
    let first = true;
    const s = await sessionServer((socket) => {
      if (first) socket.emit('session:token', { token: 'the-fresh-token', expiresAt });
      first = false;
    });
    const { connection: c } = connection();
    await begin(c, s.url);
    await vi.waitFor(() => expect(store.saved.at(-1)?.token).toBe('the-fresh-token'));
    expect(store.saved.at(-1)).toMatchObject({ serverUrl: s.url, token: 'the-fresh-token', expiresAt, user: READY.user });
    expect(c.session?.token).toBe('the-fresh-token');

    // The connection drops (not a sign-out): the reconnect presents the refreshed token, and session:ready keeps it.
    for (const socket of await s.io.fetchSockets()) socket.disconnect();
    await vi.waitFor(() => expect(s.seen.tokens).toEqual(['a-token', 'the-fresh-token']), { timeout: 5000 });
    await vi.waitFor(() => expect(c.state).toBe('online'));
    expect(c.session?.token).toBe('the-fresh-token');
  }, 15_000);

  it('signing out asks the server to revoke this device\'s token, and completes when the server cannot be reached', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = desktopStore();
    const server = fakeFetch(true);
    const s = await sessionServer(() => undefined);
    const { connection: c } = connection();
    await begin(c, s.url);
    await vi.waitFor(() => expect(c.state).toBe('online'));
    await c.signOut();
    expect(server.logouts).toEqual([{ url: `${s.url}/api/logout`, authorization: 'Bearer a-token' }]);
    expect(c.state).toBe('signed-out');
    expect(store.cleared).toBe(1);

    // The server cannot be reached: signed out all the same.
    fakeFetch(false);
    const gone = connection().connection;
    await begin(gone, s.url);
    await gone.signOut();
    expect(gone.state).toBe('signed-out');
    expect(gone.session).toBeNull();
    expect(store.cleared).toBe(2);
  });

  it('a revocation by the server signs out without calling the server back', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    desktopStore();
    const server = fakeFetch(true);
    const s = await sessionServer((socket) => socket.emit('session:revoked', { reason: 'signed-out' }));
    const { connection: c } = connection();
    await begin(c, s.url);
    await vi.waitFor(() => expect(c.state).toBe('signed-out'));
    expect(c.signedOutReason).toBe('This device was signed out. Sign in again.');
    expect(server.logouts).toEqual([]);
  });
});

describe('retryDelay', () => {
  it('doubles from 0.5 s to a 10 s cap, each wait within ±50 %', () => {
    for (let n = 0; n < 12; n++) {
      const nominal = Math.min(RETRY_FIRST_MS * 2 ** n, RETRY_MAX_MS);
      expect(retryDelay(n, () => 0)).toBe(nominal * 0.5);
      expect(retryDelay(n, () => 0.999999)).toBeCloseTo(nominal * 1.5, -1);
    }
    expect(retryDelay(40, () => 0.5)).toBe(RETRY_MAX_MS);
    // During a call the waits stop growing at 2 s: back within 3 s of the server, whatever the outage.
    expect(retryDelay(40, () => 0.999999, RETRY_IN_CALL_MAX_MS)).toBeCloseTo(RETRY_IN_CALL_MAX_MS * 1.5, -1);
    expect(retryDelay(1, () => 0.5, RETRY_IN_CALL_MAX_MS)).toBe(RETRY_FIRST_MS * 2);
  });
});
