/**
 * The real `parley-server` binary in a child process, serving the web build,
 * that a test kills with SIGKILL (a crash: no shutdown, no goodbye to the
 * clients) and starts again on the same port and data dir, as a supervisor
 * would: what the pages see is their server gone and back at the same address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startChildServer, type ChildServer } from '../../signaling-server/test/cli-helpers.js';
import { launchChromium, registerUser, user, WEB_ROOT, writeToneWav, type User } from './harness.js';

export class CrashableServer {
  private constructor(
    private server: ChildServer,
    private readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `env`: more PARLEY_* settings (the web root, many UI actions in a row per user and the port are set here). */
  static async start(dataDir: string, env: Record<string, string> = {}): Promise<CrashableServer> {
    const all = { PARLEY_WEB_ROOT: WEB_ROOT, PARLEY_MESSAGE_RATE: '1000', PARLEY_MESSAGE_BURST: '1000', ...env };
    const server = await startChildServer({ dataDir, env: all });
    return new CrashableServer(server, dataDir, { ...all, PARLEY_PORT: new URL(server.url).port });
  }

  get url(): string {
    return this.server.url;
  }

  /** The running process's log lines. */
  get child(): ChildServer {
    return this.server;
  }

  /** SIGKILL, and its exit. */
  async kill(): Promise<void> {
    this.server.child.kill('SIGKILL');
    await this.server.exited;
  }

  /** Starts it again on the same port and data dir; resolves with the moment it listens (epoch ms). */
  async restart(): Promise<number> {
    this.server = await startChildServer({ dataDir: this.dataDir, env: this.env });
    return Date.now();
  }

  async close(): Promise<void> {
    if (this.server.child.exitCode === null && this.server.child.signalCode === null) await this.kill();
  }
}

/** What a crash test starts from: a crashable server, and people signed in to it in one browser whose microphones play a tone. */
export interface CrashScene {
  server: CrashableServer;
  browser: Browser;
  users: User[];
  /** Closes the browser and the server, and removes the data. */
  close(): Promise<void>;
}

/** Starts the scene for `names`, the server with `env` (what it started is closed again if a step fails). */
export async function crashScene(names: readonly string[], env: Record<string, string> = {}): Promise<CrashScene> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-crash-'));
  const wav = path.join(dir, 'tone.wav');
  writeToneWav(wav);
  let server: CrashableServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await CrashableServer.start(path.join(dir, 'data'), env);
    browser = await launchChromium(wav);
    const users: User[] = [];
    for (const n of names) await registerUser(server, n);
    for (const n of names) users.push(await user({ url: server.url, browser }, n));
    return { server, browser, users, close };
  } catch (err) {
    await close();
    throw err;
  }
}
