/**
 * The node's connections to Redis (node-redis): one for the stores, whose
 * commands fail at once while Redis is unreachable (`disableOfflineQueue`) so
 * a request is answered `unavailable` instead of hanging; and a publisher and
 * a subscriber for the Socket.IO adapter, which queue while reconnecting (up
 * to node-redis's command timeout). All three reconnect by themselves; an
 * outage is logged once when it starts and once when it ends.
 */
import { createHash } from 'node:crypto';
import { createClient, ErrorReply, type RedisClientType } from 'redis';
import type { Logger } from '../logger.js';
import { StoreUnavailableError } from '../stores/types.js';

export type RedisClient = RedisClientType;

/** How long the first connection may take before the node refuses to start. */
const CONNECT_TIMEOUT_MS = 10_000;

/** `redis://user:secret@host/2` → `redis://user:***@host/2`, for logs and errors. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export class RedisConnection {
  readonly client: RedisClient;
  /** For the Socket.IO adapter (see `tolerant`). */
  readonly pub: RedisClient;
  readonly sub: RedisClient;
  private readonly raw: RedisClient[];
  /** Prefix of every key and adapter channel: the database number keeps installations on one Redis apart. */
  readonly prefix: string;
  private readonly listeners = new Set<() => void>();
  private down = false;

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
    this.client = createClient({ ...options, disableOfflineQueue: true });
    const pub = createClient(options);
    const sub = createClient(options);
    this.raw = [this.client, pub, sub];
    this.pub = tolerant(pub);
    this.sub = tolerant(sub);
    const database = Number(new URL(url).pathname.slice(1) || '0');
    this.prefix = `parley:${database}:`;
    // Without an 'error' listener node-redis throws, which would end the process.
    for (const c of this.raw) c.on('error', (err: unknown) => this.lost(err));
    this.client.on('ready', () => this.back());
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

  get available(): boolean {
    return this.client.isReady;
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
      return await op();
    } catch (err) {
      if (err instanceof ErrorReply && !err.message.startsWith('LOADING')) throw err;
      throw new StoreUnavailableError('Redis', { cause: err });
    }
  }

  /** Runs a Lua script by its SHA1, loading it the first time this Redis sees it. */
  async script(source: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
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

  private back(): void {
    if (!this.down) return;
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
 */
function tolerant(client: RedisClient): RedisClient {
  return new Proxy(client, {
    get(target, prop) {
      // The client itself as `this`: its private fields are not the proxy's.
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result;
      };
    },
  });
}

export interface LuaScript {
  text: string;
  sha: string;
}

export function lua(text: string): LuaScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}
