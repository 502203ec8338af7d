/**
 * The node's connections to Redis (node-redis): one for the stores, whose
 * commands fail at once while Redis is unreachable (`disableOfflineQueue`) so
 * a request is answered `unavailable` instead of hanging; and a publisher and
 * a subscriber for the Socket.IO adapter, which queue while reconnecting, so
 * the adapter never sees a rejected publish. All three reconnect by
 * themselves; an outage is logged once when it starts and once when it ends.
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
  /** For the Socket.IO adapter. */
  readonly pub: RedisClient;
  readonly sub: RedisClient;
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
    this.pub = createClient(options);
    this.sub = createClient(options);
    const database = Number(new URL(url).pathname.slice(1) || '0');
    this.prefix = `parley:${database}:`;
    // Without an 'error' listener node-redis throws, which would end the process.
    for (const c of [this.client, this.pub, this.sub]) c.on('error', (err: unknown) => this.lost(err));
    this.client.on('ready', () => this.back());
  }

  async connect(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${redactUrl(this.url)} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all([this.client.connect(), this.pub.connect(), this.sub.connect()]), deadline]);
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

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all(
      [this.client, this.pub, this.sub].map(async (c) => {
        if (c.isOpen) await c.close().catch(() => c.destroy());
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

export interface LuaScript {
  text: string;
  sha: string;
}

export function lua(text: string): LuaScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}
