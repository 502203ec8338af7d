/**
 * The test calls running on this node: at most one per device, at most
 * `max` at once (each carries a caller's audio both ways through this
 * process), each ended after `maxMs`. A test call lives on the node its
 * device is connected to and is not shared through Redis: it needs no other
 * node, and it ends when its connection does.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { EchoSignal, IceCandidate, IceServer, SessionDescription, TestCallReport } from '../protocol/index.js';
import { TEST_CALL_DELAY_MS } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { createEchoPeer, type EchoPeer } from './echo-peer.js';

/** How long a test call may run: the echo, the caller's look at the numbers, with room to spare. */
export const TEST_CALL_MAX_MS = 60_000;

export interface TestCallSettings {
  /** PARLEY_TEST_CALL: whether this server answers test calls. */
  enabled: boolean;
  /** Test calls this node carries at once. */
  max: number;
  /** A test call ends by itself after this long. */
  maxMs: number;
}

export interface TestCallSink {
  signal: (testId: string, signal: EchoSignal) => void;
  ended: (testId: string, reason: 'timeout' | 'failed') => void;
}

interface Running {
  testId: string;
  /** The connection that started it: only it may signal or stop it. */
  sessionId: string;
  peer: Promise<EchoPeer>;
  timer: NodeJS.Timeout;
}

export class TestCalls {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly settings: TestCallSettings,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  async start(sessionId: string, delayMs: number | undefined, iceServers: IceServer[], sink: TestCallSink): Promise<{ testId: string; delayMs: number; maxMs: number }> {
    if (!this.settings.enabled) throw new RequestError('not_found', 'This server does not answer test calls (PARLEY_TEST_CALL is off)');
    this.endSession(sessionId);
    if (this.running.size >= this.settings.max) {
      throw new RequestError('busy', `This server is carrying ${this.settings.max} test calls, the most it allows at once: try again in a minute`);
    }
    const testId = randomUUID();
    const delay = delayMs ?? TEST_CALL_DELAY_MS.default;
    const peer = createEchoPeer({
      iceServers,
      delayMs: delay,
      send: (signal) => sink.signal(testId, signal),
      onFailed: () => {
        if (this.end(testId)) sink.ended(testId, 'failed');
      },
    });
    const timer = setTimeout(() => {
      if (this.end(testId)) sink.ended(testId, 'timeout');
    }, this.settings.maxMs);
    timer.unref();
    this.running.set(testId, { testId, sessionId, peer, timer });
    try {
      await peer;
    } catch (err) {
      this.end(testId);
      this.log.error({ err: (err as Error).message }, 'test call could not start');
      throw new RequestError('not_found', 'This server cannot answer test calls: its WebRTC package is not installed');
    }
    this.log.info({ testId, sessionId }, 'test call started');
    return { testId, delayMs: delay, maxMs: this.settings.maxMs };
  }

  async signal(sessionId: string, testId: string, signal: { description?: SessionDescription; candidate?: IceCandidate }): Promise<void> {
    const peer = await this.peerOf(sessionId, testId);
    try {
      await peer.signal(signal);
    } catch (err) {
      throw new RequestError('bad_request', `testcall:signal: ${(err as Error).message}`);
    }
  }

  /** Ends the test call and says what the server saw. */
  async stop(sessionId: string, testId: string): Promise<TestCallReport> {
    const peer = await this.peerOf(sessionId, testId);
    try {
      return await peer.report();
    } finally {
      this.end(testId);
    }
  }

  /** The connection closed: its test call ends with it. */
  endSession(sessionId: string): void {
    for (const r of this.running.values()) if (r.sessionId === sessionId) this.end(r.testId);
  }

  closeAll(): void {
    for (const id of [...this.running.keys()]) this.end(id);
  }

  private async peerOf(sessionId: string, testId: string): Promise<EchoPeer> {
    const r = this.running.get(testId);
    if (!r || r.sessionId !== sessionId) throw new RequestError('not_found', 'No such test call: it ended');
    return r.peer;
  }

  /** True when it was still running. */
  private end(testId: string): boolean {
    const r = this.running.get(testId);
    if (!r) return false;
    this.running.delete(testId);
    clearTimeout(r.timer);
    void r.peer.then((p) => p.close()).catch(() => undefined);
    this.log.info({ testId }, 'test call ended');
    return true;
  }
}
