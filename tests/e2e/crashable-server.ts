/**
 * The real `parley-server` binary in a child process, serving the web build,
 * that a test kills with SIGKILL (a crash: no shutdown, no goodbye to the
 * clients) and starts again on the same port and data dir, as a supervisor
 * would: what the pages see is their server gone and back at the same address.
 */
import { startChildServer, type ChildServer } from '../../signaling-server/test/cli-helpers.js';
import { WEB_ROOT } from './harness.js';

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
