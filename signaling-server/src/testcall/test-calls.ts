/**
 * The test calls running on this node: at most one per account, on any
 * node (a second device of the account is refused `in_test_call`; the same
 * device starting again replaces its own), at most `max` at once on this
 * node (each carries a caller's audio both ways through this process), each
 * ended after `maxMs`. A test call lives on the node its device is
 * connected to, and ends when its connection does; only the account's slot
 * is shared with other nodes (test-call-claims.ts). Each call's candidates
 * pass its CandidatePolicy, its offer offer-checks.ts, its echo the bounds
 * of echo-queue.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { EchoSignal, IceCandidate, IceServer, SessionDescription, TestCallReport } from '../protocol/index.js';
import { TEST_CALL_DELAY_MS } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { CandidatePolicy, clientOrigin } from './candidate-policy.js';
import { createEchoPeer, type EchoPeer } from './echo-peer.js';
import type { TestCallClaims } from './test-call-claims.js';
import { TestCallMetrics } from './test-call-metrics.js';

/** How long a test call may run: the echo, the caller's look at the numbers, with room to spare. */
export const TEST_CALL_MAX_MS = 60_000;
/** An account's slot outlives its test call's longest run by this much (a node that died holding it). */
const CLAIM_MARGIN_MS = 5000;

export interface TestCallSettings {
  /** PARLEY_TEST_CALL: whether this server answers test calls (`on` or `lan`). */
  enabled: boolean;
  /** PARLEY_TEST_CALL=lan: the callers' private, link-local and ULA candidates are checked too. */
  lan?: boolean;
  /** PARLEY_TRUST_PROXY is set: a connection's address is a proxy's, not the caller's. */
  behindProxy?: boolean;
  /** Test calls this node carries at once. */
  max: number;
  /** A test call ends by itself after this long. */
  maxMs: number;
}

export interface TestCallSink {
  signal: (testId: string, signal: EchoSignal) => void;
  ended: (testId: string, reason: 'timeout' | 'failed') => void;
}

/** Who starts a test call: the device's connection, its account, and where the connection comes from. */
export interface TestCaller {
  sessionId: string;
  username: string;
  /** The connection's peer address, and whether a proxy said it forwarded it (candidate-policy.ts). */
  peer: { address: string; forwarded: boolean };
}

interface Running {
  testId: string;
  /** The connection that started it: only it may signal or stop it. */
  sessionId: string;
  username: string;
  peer: Promise<EchoPeer>;
  timer: NodeJS.Timeout;
  /** Set once werift is loaded and the peer made. */
  made?: EchoPeer;
}

export class TestCalls {
  private readonly running = new Map<string, Running>();
  readonly metrics: TestCallMetrics;

  constructor(
    private readonly settings: TestCallSettings,
    /** Each account's one slot, shared by every node when there are several. */
    private readonly claims: TestCallClaims,
    private readonly log: Logger,
    registry?: Registry,
  ) {
    this.metrics = new TestCallMetrics(registry, () => this.queues());
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  async start(caller: TestCaller, delayMs: number | undefined, iceServers: IceServer[], sink: TestCallSink): Promise<{ testId: string; delayMs: number; maxMs: number }> {
    if (!this.settings.enabled) throw new RequestError('not_found', 'This server does not answer test calls (PARLEY_TEST_CALL is off)');
    const { sessionId, username } = caller;
    // Its own earlier one is replaced: its slot is given back first.
    await Promise.all(this.endOf(sessionId));
    if (this.full()) throw this.busy();
    const testId = randomUUID();
    if (!(await this.claims.claim(username, testId, this.settings.maxMs + CLAIM_MARGIN_MS))) {
      throw new RequestError('in_test_call', 'This account is running a test call on another device: finish it there first');
    }
    // Others may have started here while the claim was on its way.
    if (this.full()) {
      await this.claims.release(username, testId);
      throw this.busy();
    }
    const delay = delayMs ?? TEST_CALL_DELAY_MS.default;
    const log = this.log.child({ testId });
    const peer = createEchoPeer({
      iceServers,
      delayMs: delay,
      send: (signal) => sink.signal(testId, signal),
      onFailed: () => {
        if (this.end(testId)) sink.ended(testId, 'failed');
      },
      policy: new CandidatePolicy(this.settings.lan === true, clientOrigin(caller.peer, this.settings.behindProxy === true)),
      onDropped: (what) => ('packet' in what ? this.metrics.packetDropped(what.packet) : this.metrics.candidateDropped(what.candidate)),
      log,
    });
    const timer = setTimeout(() => {
      if (this.end(testId)) sink.ended(testId, 'timeout');
    }, this.settings.maxMs);
    timer.unref();
    const running: Running = { testId, sessionId, username, peer, timer };
    this.running.set(testId, running);
    try {
      running.made = await peer;
    } catch (err) {
      this.end(testId);
      this.log.error({ err: (err as Error).message }, 'test call could not start');
      throw new RequestError('not_found', 'This server cannot answer test calls: its WebRTC package is not installed');
    }
    this.log.info({ testId, sessionId, username }, 'test call started');
    return { testId, delayMs: delay, maxMs: this.settings.maxMs };
  }

  async signal(sessionId: string, testId: string, signal: { description?: SessionDescription; candidate?: IceCandidate }): Promise<void> {
    const peer = await this.peerOf(sessionId, testId);
    try {
      await peer.signal(signal);
    } catch (err) {
      if (err instanceof RequestError) throw err;
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
    void Promise.all(this.endOf(sessionId));
  }

  closeAll(): void {
    for (const id of [...this.running.keys()]) this.end(id);
  }

  /** Ends the connection's test calls; each resolves once its account's slot is given back. */
  private endOf(sessionId: string): Promise<void>[] {
    return [...this.running.values()].filter((r) => r.sessionId === sessionId).map((r) => this.finish(r));
  }

  private full(): boolean {
    return this.running.size >= this.settings.max;
  }

  private busy(): RequestError {
    return new RequestError('busy', `This server is carrying ${this.settings.max} test calls, the most it allows at once: try again in a minute`);
  }

  /** The echo queues of the test calls running now (metrics). */
  private queues(): EchoPeer['queue'][] {
    return [...this.running.values()].flatMap((r) => (r.made ? [r.made.queue] : []));
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
    void this.finish(r);
    return true;
  }

  /** Ends a running test call; resolves once its account's slot is given back (a lost release lapses with its TTL). */
  private finish(r: Running): Promise<void> {
    this.running.delete(r.testId);
    clearTimeout(r.timer);
    if (r.made) this.metrics.notePeak(r.made.queue);
    void r.peer.then((p) => p.close()).catch(() => undefined);
    this.log.info({ testId: r.testId }, 'test call ended');
    return this.claims.release(r.username, r.testId).catch((err: unknown) => this.log.warn({ err, testId: r.testId }, 'test call slot not given back: it lapses by itself'));
  }
}
