/**
 * The node's connections to Redis (node-redis): one for the stores, whose
 * commands fail at once while Redis is unreachable (`disableOfflineQueue`) so
 * a request is answered `unavailable` instead of hanging, and after
 * COMMAND_TIMEOUT_MS when Redis does not answer; and a publisher and
 * a subscriber for the Socket.IO adapter, which queue while reconnecting (up
 * to node-redis's command timeout). All three reconnect by themselves; an
 * outage is logged once when it starts and once when all three are back.
 */
import { createClient, ErrorReply, type RedisClientType } from 'redis';
import type { Logger } from '../logger.js';
import type { LuaScript } from './lua.js';
import { StoreUnavailableError } from '../stores/types.js';

export type RedisClient = RedisClientType;

/** How long the first connection may take before the node refuses to start. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long a store operation may wait for Redis's answer. (node-redis's own
 * command timeout only bounds the wait to be written, not for the reply: a
 * Redis that takes commands but does not answer held requests forever.)
 */
export const COMMAND_TIMEOUT_MS = 5000;
const SWEEP_MS = 1000;

/** `redis://user:secret@host/2` → `redis://user:***@host/2`, for logs and errors. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export class RedisConnection {
  /**
   * The stores' commands, always through run(). node-redis's per-command
   * timeout is off here: it costs an AbortSignal with a timer per command,
   * about 25 µs of CPU, and a DOMException when the timer fires 5 s later,
   * which made each round trip to Redis on loopback about 0.3 ms instead of
   * 0.12 ms, for a bound that only covers a command not yet written (this
   * client does not queue: it refuses while disconnected). run() bounds
   * the wait for the answer instead, with one sweep for all commands.
   */
  readonly client: RedisClient;
  /** The same connection with node-redis's per-command timeout, for callers outside run() (the rate limiters). */
  readonly timedClient: RedisClient;
  /** For the Socket.IO adapter (see `tolerant`). */
  readonly pub: RedisClient;
  readonly sub: RedisClient;
  private readonly raw: RedisClient[];
  /** Prefix of every key and adapter channel: the database number keeps installations on one Redis apart. */
  readonly prefix: string;
  private readonly listeners = new Set<() => void>();
  private down = false;
  /** Operations of run() still waiting for Redis, with when they started. */
  private readonly waiting = new Map<(err: Error) => void, number>();
  private readonly sweep: NodeJS.Timeout;
  private lastSweep = Date.now();

  constructor(
    readonly url: string,
    private readonly log: Logger,
  ) {
    const options = {
      url,
      // A half-open connection is found out within seconds, not at the next write.
      pingInterval: 5000,
      socket: {
        connectTimeout: 5000,
        // Every 0.1 s, growing to 2 s while Redis is away, forever.
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    };
    this.timedClient = createClient({ ...options, disableOfflineQueue: true });
    this.client = this.timedClient.withCommandOptions({ timeout: 0 });
    const pub = createClient(options);
    const sub = createClient(options);
    this.raw = [this.timedClient, pub, sub];
    this.pub = tolerant(pub);
    this.sub = tolerant(sub);
    const database = Number(new URL(url).pathname.slice(1) || '0');
    this.prefix = `parley:${database}:`;
    // Without an 'error' listener node-redis throws, which would end the process.
    for (const c of this.raw) c.on('error', (err: unknown) => this.lost(err));
    for (const c of this.raw) c.on('ready', () => this.back());
    // In the check phase: answers that arrived while this process could not run are read first.
    this.sweep = setInterval(() => setImmediate(() => this.expire()), SWEEP_MS);
    this.sweep.unref();
  }

  async connect(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${redactUrl(this.url)} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(this.raw.map((c) => c.connect())), deadline]);
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.down = false;
  }

  /**
   * All three connections are up. The subscriber counts: it is ready only once
   * it has subscribed again, and until then events published for this node's
   * devices are lost, so a node that took its clients back earlier (after
   * Redis lost its data) would miss the calls ringing them from other nodes.
   */
  get available(): boolean {
    return this.raw.every((c) => c.isReady);
  }

  /** Runs `fn` each time Redis is reachable again after an outage. */
  onReconnect(fn: () => void): void {
    this.listeners.add(fn);
  }

  /** Resolves when Redis answers a PING; rejects otherwise (health checks). */
  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  /**
   * Runs one Redis operation; a lost connection becomes a StoreUnavailableError
   * (answered `unavailable`). An error reply from Redis is a bug and stays as it is.
   */
  async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await this.bounded(op());
    } catch (err) {
      if (err instanceof ErrorReply && !err.message.startsWith('LOADING')) throw err;
      throw new StoreUnavailableError('Redis', { cause: err });
    }
  }

  /** `pending`, or a timeout error once it has waited COMMAND_TIMEOUT_MS (checked by one sweep, not a timer each). */
  private bounded<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(reject, Date.now());
      pending.then(
        (value) => {
          this.waiting.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          this.waiting.delete(reject);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private expire(): void {
    const now = Date.now();
    const stalled = now - this.lastSweep > 2 * SWEEP_MS;
    this.lastSweep = now;
    // This process did not run for a while (a stalled or overloaded machine): what waited meanwhile has waited
    // for Redis only since it resumed, and gets the whole timeout from now.
    if (stalled) {
      for (const reject of this.waiting.keys()) this.waiting.set(reject, now);
      return;
    }
    const late = now - COMMAND_TIMEOUT_MS;
    for (const [reject, started] of this.waiting) {
      if (started > late) continue;
      this.waiting.delete(reject);
      reject(new Error(`Redis did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`));
    }
  }

  /** Runs a Lua script by its SHA1, loading it the first time this Redis sees it. */
  async script(source: LuaScript, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    const options = { keys, arguments: args.map((a) => (Buffer.isBuffer(a) ? a : String(a))) };
    return this.run(async () => {
      try {
        return await this.client.evalSha(source.sha, options);
      } catch (err) {
        if (!(err instanceof ErrorReply && err.message.startsWith('NOSCRIPT'))) throw err;
        return this.client.eval(source.text, options);
      }
    });
  }

  /** Closes cleanly when Redis is there; drops the connections at once when it is not (close would wait for it). */
  async close(): Promise<void> {
    this.listeners.clear();
    clearInterval(this.sweep);
    await Promise.all(
      this.raw.map(async (c) => {
        if (!c.isOpen) return;
        if (c.isReady) await c.close().catch(() => c.destroy());
        else c.destroy();
      }),
    );
  }

  private lost(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log.error({ err, redis: redactUrl(this.url) }, 'Redis is unreachable: requests that need it are refused until it is back');
  }

  /** Once every connection is ready again (each reconnects on its own schedule). */
  private back(): void {
    if (!this.down || !this.available) return;
    this.down = false;
    this.log.warn({ redis: redactUrl(this.url) }, 'Redis is reachable again');
    for (const fn of this.listeners) fn();
  }
}

/**
 * The adapter sends some commands without awaiting them (a publish, an
 * unsubscribe at close). One that fails while Redis is away would be an
 * unhandled rejection, which ends a Node process: every promise the client
 * returns gets a handler here, and whoever awaits it still sees the failure.
 *
 * A publish (every event for a device or room, so the adapter's busiest
 * command) skips node-redis's per-command timer while the connection is up:
 * the timer only bounds the wait to be written, and a command is written at
 * once then, so it would only cost CPU (see RedisConnection.client). While
 * reconnecting it keeps the timer, which drops it from the queue.
 */
function tolerant(client: RedisClient): RedisClient {
  const untimed = client.withCommandOptions({ timeout: 0 });
  return new Proxy(client, {
    get(target, prop) {
      const source = prop === 'publish' && target.isReady ? untimed : target;
      // The client itself as `this`: its private fields are not the proxy's.
      const value: unknown = Reflect.get(source, prop, source);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(source, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result;
      };
    },
  });
}
