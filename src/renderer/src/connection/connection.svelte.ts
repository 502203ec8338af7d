/**
 * The signed-in session and its signaling connection: sign-in, sign-up and
 * sign-out, the remembered session, and reconnection with backoff. It owns
 * the retry schedule itself (Socket.IO's own is off), so the banner can say
 * when the next attempt comes and "Retry now" can bring it forward. What
 * went wrong is told in words; transport errors go to the log only.
 */
import type { Ack, ClientEvent, ClientPayload, ClientReplies, SessionReady, SettableStatus } from 'parley-server/protocol';
import type { StoredSession } from '../../../shared/stored-session.js';
import { loadOnce } from '../lib/load-once.js';
import { logger } from '../lib/log.js';
import * as api from './api.js';
import { readLastSignIn, rememberSignIn } from './last-sign-in.js';
import { deviceId, renewDeviceId } from './device-id.js';
import type { SignalingLink } from './link.js';
import { sessionStore, type SessionStore } from './session-store.js';
import type { ServerEvent, ServerPayload, Signaling } from './signaling.js';

const log = logger('connection');

/**
 * Socket.IO and the protocol's schemas are not needed to paint the contacts
 * (a returning visit shows the last list) nor the sign-in form: fetched once
 * a session is at hand or being made, and kept.
 */
const loadSignaling = loadOnce(() => import('./signaling.js'));

export type ConnectionState = 'signed-out' | 'connecting' | 'online' | 'offline';

/** Backoff between attempts: 0.5 s doubling to 10 s, each ±50 % so a restarted server is not hit by everyone at once. */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 10_000;
/**
 * The longest nominal wait while a call goes on: its room is restored from
 * its people's claims, so each of them is back within 3 s of the server (a
 * call is a few devices; the rest of the team backs off as far as ever).
 */
export const RETRY_IN_CALL_MAX_MS = 2000;

/** The wait before attempt number `failures` + 1 (`random` in [0, 1)), the backoff capped at `maxMs`. */
export function retryDelay(failures: number, random: () => number = Math.random, maxMs = RETRY_MAX_MS): number {
  const nominal = Math.min(RETRY_FIRST_MS * 2 ** failures, maxMs);
  return Math.round(nominal * (0.5 + random()));
}

export interface ConnectionHooks {
  /** The status presented in each handshake. */
  status(): SettableStatus;
  /** The contacts shown now, named in each handshake so that session:ready brings their statuses. */
  watching?(): string[];
  /**
   * The server accepted the handshake; its session:ready follows. What the
   * first screen needs is asked for now: the server answers it once the
   * session is set up, a round trip sooner than after session:ready.
   */
  accepted(): void;
  /** The server took this session (first connect and every reconnect). */
  ready(ready: SessionReady): void;
  /** The connection dropped (it is being retried). */
  lost(): void;
  /** Signed out, by the user or by the server: forget what the session showed. */
  signedOut(): void;
  /** Another window took this device id over (a duplicated tab): it keeps the call. */
  replaced(): void;
  /** A call goes on here: reconnecting is retried sooner (RETRY_IN_CALL_MAX_MS). */
  inCall?(): boolean;
}

type Handler = { event: ServerEvent; handler: (payload: never) => void };

export class Connection implements SignalingLink {
  session = $state<StoredSession | null>(null);
  state = $state<ConnectionState>('signed-out');
  /** Until start() has looked for a remembered session: neither sign-in nor contacts is shown yet. */
  restoring = $state(true);
  /** Why the app is signed out, in words (shown on the sign-in screen). */
  signedOutReason = $state<string | null>(null);
  /** A refusal by the server in words (rate limited, say); transport failures have none. */
  problem = $state<string | null>(null);
  /** When the next attempt to reconnect is due (epoch ms), while offline. */
  retryAt = $state<number | null>(null);
  /** The server said it was stopping (server:closing): it shut down. */
  shutDown = $state(false);

  #signaling: Signaling | null = null;
  /** Counts connect() and end(): a signaling code load that returns after a newer one (or a sign-out) is dropped. */
  #attempt = 0;
  readonly #handlers: Handler[] = [];
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Attempts that failed since the last success. */
  #failures = 0;
  readonly #store: SessionStore;

  readonly #hooks: ConnectionHooks;

  constructor(hooks: ConnectionHooks) {
    this.#hooks = hooks;
    this.#store = sessionStore();
  }

  get connected(): boolean {
    return this.#signaling?.connected === true;
  }

  /** The server's host as a person would name it ("chat.example.com:7070"). */
  get host(): string {
    return this.session ? api.serverHost(this.session.serverUrl) : '';
  }

  /** Connects with the remembered session, if any. */
  async restore(): Promise<void> {
    try {
      // Fetched while the store is read (an IPC round trip in the desktop app).
      loadSignaling().catch(() => undefined);
      const saved = await this.#store.load().catch(() => null);
      if (saved && saved.expiresAt > Date.now()) this.#connect(saved);
    } finally {
      this.restoring = false;
    }
  }

  /** The server the sign-in screen offers: the last one signed in to here, else the page's own (in a browser) or a local one. */
  defaultServerUrl(desktop: boolean): string {
    const last = readLastSignIn();
    if (last) return last.serverUrl;
    const origin = location.origin;
    return !desktop && origin.startsWith('http') ? origin : 'http://127.0.0.1:7070';
  }

  /** The username last signed in with on this device, for the sign-in screen after a sign-out. */
  lastUsername(): string {
    return readLastSignIn()?.username ?? '';
  }

  /** `allowPlainHttp`: the person ticked "Send my password unencrypted" for a plain-http server elsewhere. */
  async signIn(serverUrl: string, username: string, password: string, allowPlainHttp = false): Promise<void> {
    const url = api.normalizeServerUrl(serverUrl);
    loadSignaling().catch(() => undefined);
    const res = await api.login(url, username, password, allowPlainHttp);
    await this.#begin({ serverUrl: url, ...res });
  }

  async register(
    serverUrl: string,
    input: { username: string; password: string; displayName: string; inviteCode?: string },
    allowPlainHttp = false,
  ): Promise<void> {
    const url = api.normalizeServerUrl(serverUrl);
    loadSignaling().catch(() => undefined);
    const res = await api.register(url, input, allowPlainHttp);
    await this.#begin({ serverUrl: url, ...res });
  }

  /**
   * The person signs out: signed out here at once, then the server is asked
   * to revoke this device's sign-in (best effort: an unreachable server
   * leaves the token to expire, and sign-out still completes).
   */
  async signOut(): Promise<void> {
    const session = this.session;
    await this.#end(null);
    if (session && !(await api.logout(session.serverUrl, session.token))) log.warn('the server could not be told about the sign-out');
  }

  /** Signed out, by the person or by the server (`reason` says why): nothing to tell the server. */
  async #end(reason: string | null): Promise<void> {
    this.#hooks.signedOut();
    this.#stopRetrying();
    this.#attempt++;
    this.#signaling?.close();
    this.#signaling = null;
    this.session = null;
    this.state = 'signed-out';
    this.signedOutReason = reason;
    this.problem = null;
    await this.#store.clear().catch((err: unknown) => log.warn('forgetting the session failed', err));
  }

  /** Tries now rather than at the next step of the backoff (Retry now, network back, computer awake). */
  retryNow(): void {
    const s = this.#signaling;
    // The signaling code could not be fetched: fetch it again.
    if (!s && this.session && this.state === 'offline') return this.#connect(this.session);
    if (!s || s.connected) return;
    this.#stopRetrying();
    this.state = 'connecting';
    s.reconnectNow();
  }

  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> {
    if (!this.#signaling) return Promise.resolve({ ok: false, code: 'unavailable', message: 'Not connected to the server' });
    return this.#signaling.request(event, payload);
  }

  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void {
    const entry: Handler = { event, handler };
    this.#handlers.push(entry);
    const off = this.#signaling?.on(event, handler);
    return () => {
      off?.();
      const i = this.#handlers.indexOf(entry);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  dispose(): void {
    this.#stopRetrying();
    this.#attempt++;
    this.#signaling?.close();
  }

  async #begin(session: StoredSession): Promise<void> {
    rememberSignIn(session.serverUrl, session.user.username);
    await this.#store.save(session).catch((err: unknown) => log.warn('remembering the session failed', err));
    this.#connect(session);
  }

  #connect(session: StoredSession): void {
    this.#signaling?.close();
    this.#signaling = null;
    this.#stopRetrying();
    this.session = session;
    this.state = 'connecting';
    this.signedOutReason = null;
    this.problem = null;
    const attempt = ++this.#attempt;
    loadSignaling().then(
      (code) => {
        if (this.#attempt === attempt && this.session) this.#open(code.Signaling, this.session);
      },
      (err: unknown) => {
        if (this.#attempt !== attempt) return;
        log.warn('the connection code could not be loaded', err);
        this.state = 'offline';
        this.problem = 'Reload the page: Parley may have been updated since it opened.';
      },
    );
  }

  /** The signaling connection for `session`, once its code is here. */
  #open(Code: typeof Signaling, session: StoredSession): void {
    const s = new Code(session.serverUrl, session.token, { status: () => this.#hooks.status(), device: deviceId, watch: () => this.#hooks.watching?.() ?? [] });
    this.#signaling = s;
    for (const { event, handler } of this.#handlers) s.on(event, handler as never);

    s.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (this.#signaling !== s) return;
      const code = err.data?.code;
      if (code === 'unauthorized' || code === 'account_disabled') {
        void this.#end(err.message);
        return;
      }
      // A refusal by the server is worded for people; a transport error is not.
      log.warn('cannot reach the server:', err.message);
      this.problem = code === undefined ? null : err.message;
      this.#wentOffline(s);
    });
    s.socket.on('connect', () => {
      if (this.#signaling === s) this.#hooks.accepted();
    });
    s.socket.on('disconnect', (reason) => {
      if (this.#signaling !== s) return;
      log.info('disconnected:', reason);
      this.#wentOffline(s);
      this.#hooks.lost();
    });
    s.on('session:ready', (ready) => {
      this.#failures = 0;
      this.#stopRetrying();
      this.state = 'online';
      this.problem = null;
      this.shutDown = false;
      // The newest token of this session (a refresh may have replaced the one it started with).
      this.session = { ...(this.session ?? session), user: ready.user };
      this.#hooks.ready(ready);
    });
    s.on('session:replaced', () => {
      // This window was copied (a duplicated tab) and the copy took the device
      // id: become a device of its own and connect again.
      renewDeviceId();
      this.#hooks.replaced();
      s.socket.connect();
    });
    s.on('session:revoked', ({ reason }) => {
      const why = {
        disabled: 'Your account was disabled.',
        removed: 'Your account was removed.',
        'password-changed': 'Your password was changed.',
        'signed-out': 'This device was signed out.',
      }[reason];
      void this.#end(`${why} Sign in again.`);
    });
    s.on('session:token', ({ token, expiresAt }) => {
      // Refresh on use: the next handshake presents the new token, and the next start finds it.
      if (this.#signaling !== s || !this.session) return;
      s.token = token;
      this.session = { ...this.session, token, expiresAt };
      void this.#store.save(this.session).catch((err: unknown) => log.warn('remembering the refreshed token failed', err));
    });
    s.on('server:closing', () => {
      this.shutDown = true;
    });
  }

  /** Offline: the next attempt is scheduled, with a growing delay. */
  #wentOffline(s: Signaling): void {
    this.state = 'offline';
    if (this.#retryTimer !== undefined) return;
    const delay = retryDelay(this.#failures++, Math.random, this.#hooks.inCall?.() === true ? RETRY_IN_CALL_MAX_MS : RETRY_MAX_MS);
    this.retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.retryAt = null;
      if (this.#signaling === s && !s.connected) {
        this.state = 'connecting';
        s.reconnectNow();
      }
    }, delay);
  }

  #stopRetrying(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.retryAt = null;
  }
}
