/**
 * A real redis-server (Debian's package) for tests: its own temp folder and a
 * free loopback port, started and stopped by the test, never a mock. Tests
 * can stop it (keeping or losing its data), start it again on the same port,
 * or kill it. It never outlives the process that started it (owned-process.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import getPort from 'get-port';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { spawnOwned } from './owned-process.js';

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
/** Databases per server: each test server gets a fresh one. */
const DATABASES = 1024;


/** The commands tests send to the server itself. */
interface AdminClient {
  flushDb(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private nextDb = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** Starts a redis-server on a free port; retried when another process takes the port first. */
  static async start(): Promise<RedisServer> {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-redis-'));
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(await getPort({ host: '127.0.0.1' }), dir);
      try {
        await server.launch();
        return server;
      } catch (err) {
        if (attempt >= 4) {
          rmSync(dir, { recursive: true, force: true });
          throw err;
        }
      }
    }
  }

  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** A database no test server has used yet in this process, emptied first. */
  async freshUrl(): Promise<string> {
    const db = this.nextDb++ % DATABASES;
    await this.command(db, (c) => c.flushDb());
    return this.url(db);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it again after stop() or kill(), on the same port and folder (and data, if it was saved). */
  async restart(): Promise<void> {
    if (this.running) throw new Error('redis-server is still running');
    await this.launch();
  }

  /** Shuts it down as an admin would: `save` keeps its data for the next start, `nosave` loses it. */
  async stop(mode: 'save' | 'nosave' = 'nosave'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.command(0, (c) => c.sendCommand(['SHUTDOWN', mode.toUpperCase()])).catch(() => undefined);
    // A SHUTDOWN that never arrived (a busy or wedged server) must not leave it running after the tests.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(stuck);
  }

  /** Stops it running without a word to its clients (SIGSTOP), as a stalled machine does; resume() goes on. */
  pause(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  kill(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  async close(): Promise<void> {
    await this.stop('nosave');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async command<T>(db: number, fn: (c: AdminClient) => Promise<T>): Promise<T> {
    const client = createClient({ url: this.url(db), socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      if (client.isOpen) client.destroy();
    }
  }

  private launch(): Promise<void> {
    // Dies with this process, however it ends (owned-process.ts).
    const child = spawnOwned(
      REDIS_SERVER,
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        // No snapshots on a timer and no AOF: SHUTDOWN SAVE writes the one snapshot a restart test wants.
        '--save', '',
        '--appendonly', 'no',
        '--databases', String(DATABASES),
        '--daemonize', 'no',
        '--logfile', '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s\n${output}`)), 10_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(err);
      };
      const onData = (s: Buffer) => {
        output += s.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (err) => fail(new Error(`cannot run ${REDIS_SERVER} (apt-get install redis-server): ${err.message}`)));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}\n${output}`));
      });
    });
  }
}
