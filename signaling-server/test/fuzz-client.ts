/**
 * One fuzzing connection slot of the fuzz test (fuzz.test.ts), and the
 * bookkeeping every slot shares: what was sent, how the server answered, and
 * any answer that would be a bug (a malformed ack, an `internal` error, a
 * request on someone else's call that was not refused).
 */
import { io as connectClient } from 'socket.io-client';
import { ERROR_CODES, type ErrorCode, type LoginResponse } from '../src/protocol/index.js';
import { CallIds, below, chance, nextMessage, prng, rawPackets, type Message, type Rng } from './fuzz-messages.js';
import type { Client, TestServer } from './harness.js';

/** Messages a fuzz connection keeps in flight while it waits for acknowledgements. */
const WINDOW = 4;
/** An acknowledgement that takes this long on an open connection counts as lost. */
const ACK_TIMEOUT_MS = 15_000;
const CODES = new Set<string>(ERROR_CODES);

// --------------------------------------------------------------- bookkeeping

export interface Stats {
  sent: number;
  byKind: Record<string, number>;
  acks: number;
  codes: Record<string, number>;
  /** Acks lost because the connection closed first (a flood, a raw packet, an oversized message). */
  lostToClose: number;
  /** Messages the client library itself refused to encode (too deep for its stack). */
  unsendable: number;
  connections: number;
  closes: Record<string, number>;
  floods: number;
  problems: string[];
}

export const newStats = (): Stats => ({ sent: 0, byKind: {}, acks: 0, codes: {}, lostToClose: 0, unsendable: 0, connections: 0, closes: {}, floods: 0, problems: [] });

function describeMessage(m: Message): string {
  const event = String(m.event).slice(0, 40);
  let args: string;
  try {
    args = (JSON.stringify(m.args) as string | undefined)?.slice(0, 120) ?? '';
  } catch {
    args = '(not serialisable)';
  }
  return `${m.kind} ${event} ${args}`;
}

function checkAck(reply: unknown, m: Message, stats: Stats): void {
  stats.acks++;
  const r = reply as { ok?: unknown; code?: unknown; message?: unknown; retryAfterMs?: unknown } | null;
  const well =
    typeof r === 'object' && r !== null &&
    (r.ok === true || (r.ok === false && typeof r.code === 'string' && CODES.has(r.code) && typeof r.message === 'string'));
  if (!well) {
    stats.problems.push(`malformed ack ${(JSON.stringify(reply) as string | undefined)?.slice(0, 200)} for ${describeMessage(m)}`);
    return;
  }
  const code = r.ok === true ? 'ok' : (r.code as ErrorCode);
  stats.codes[code] = (stats.codes[code] ?? 0) + 1;
  // `internal` is a valid code, but on these inputs it would mean a handler threw: a bug.
  if (code === 'internal') stats.problems.push(`internal error for ${describeMessage(m)}`);
  if (m.refused && !m.refused.has(code)) stats.problems.push(`${code} for ${describeMessage(m)}`);
}

/**
 * One fuzzing connection slot: connects, sends until closed, reconnects, until
 * the run has sent enough. Its generator is seeded from the run's seed and its
 * slot, so each slot replays its own messages.
 */
export class Fuzzer {
  private readonly rng: Rng;

  constructor(
    private readonly server: TestServer,
    private readonly login: LoginResponse,
    runSeed: number,
    slot: number,
    private readonly calls: CallIds,
    private readonly stats: Stats,
    private readonly sockets: Set<Client>,
  ) {
    this.rng = prng(runSeed + slot * 0x9e3779b9);
  }

  /** Sends until the server has answered `until` messages of the whole run. */
  async run(until: number): Promise<void> {
    while (this.stats.acks < until) await this.session(until);
  }

  private async session(until: number): Promise<void> {
    const socket: Client = connectClient(this.server.url, {
      auth: { token: this.login.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.sockets.add(socket);
    const closed = new Promise<void>((resolve) =>
      socket.on('disconnect', (reason) => {
        this.stats.closes[reason] = (this.stats.closes[reason] ?? 0) + 1;
        resolve();
      }),
    );
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      socket.on('session:ready', () => settle(true));
      socket.on('connect_error', () => settle(false));
    });
    if (!ready) {
      this.stats.problems.push(`${this.login.user.username} could not connect`);
      socket.disconnect();
      this.sockets.delete(socket);
      return;
    }
    this.stats.connections++;
    const self = this.login.user.username;
    const inflight = new Set<Promise<void>>();
    socket.on('call:incoming', ({ callId }) => {
      CallIds.remember(this.calls.fuzz, callId);
      // Answer half the calls at once, so some calls between fuzzers are live.
      if (chance(this.rng, 0.5) && socket.connected) this.track(inflight, this.send(socket, { kind: 'valid', event: 'call:accept', args: [{ callId }], ack: true }));
    });
    const budget = 200 + below(this.rng, 1500);
    for (let i = 0; i < budget && socket.connected && this.stats.acks < until; i++) {
      const r = this.rng();
      if (r < 0.001) {
        this.flood(socket, self, inflight);
      } else if (r < 0.0025) {
        // Over 64 KiB: the transport closes the connection.
        this.stats.sent++;
        this.count('oversized');
        socket.emit('call:signal', { callId: 'c', description: { type: 'offer', sdp: 'x'.repeat(70 * 1024) } }, () => undefined);
      } else if (r < 0.0125) {
        this.count('raw');
        for (const packet of rawPackets(this.rng)) {
          this.stats.sent++;
          (socket.io.engine as unknown as { send(p: string | Buffer): void }).send(packet);
        }
      } else if (r < 0.0135) {
        break; // leave on its own, possibly mid-call
      } else {
        this.track(inflight, this.send(socket, nextMessage(this.rng, self, this.calls)));
      }
      if (inflight.size >= WINDOW) await Promise.race(inflight);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inflight);
    socket.disconnect();
    await closed;
    socket.removeAllListeners();
    this.sockets.delete(socket);
  }

  /** Hundreds of messages at once, never waiting: past the rate limit and the flood rule. */
  private flood(socket: Client, self: string, inflight: Set<Promise<void>>): void {
    this.stats.floods++;
    // At most 200 pass (rate plus burst); the 101st refusal closes the connection.
    const n = 350 + below(this.rng, 150);
    for (let k = 0; k < n && socket.connected; k++) {
      const m: Message = chance(this.rng, 0.5)
        ? { kind: 'flood', event: 'directory:list', args: [{ limit: 1 }], ack: true }
        : { ...nextMessage(this.rng, self, this.calls), kind: 'flood' };
      this.track(inflight, this.send(socket, m));
    }
  }

  private track(inflight: Set<Promise<void>>, p: Promise<void>): void {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }

  private count(kind: string): void {
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
  }

  private send(socket: Client, m: Message): Promise<void> {
    const emit = socket.emit.bind(socket) as unknown as (event: string | number, ...args: unknown[]) => void;
    const timed = socket.timeout(ACK_TIMEOUT_MS) as unknown as { emit: typeof emit };
    return new Promise<void>((resolve) => {
      let threw = false;
      const onAck = (err: Error | null, reply?: unknown) => {
        if (threw) return resolve();
        if (!err) checkAck(reply, m, this.stats);
        else if (!socket.connected) this.stats.lostToClose++;
        else this.stats.problems.push(`no ack within ${ACK_TIMEOUT_MS} ms on an open connection for ${describeMessage(m)}`);
        resolve();
      };
      try {
        if (m.ack) timed.emit(m.event, ...m.args, onAck);
        else emit(m.event, ...m.args);
      } catch {
        // The client library cannot encode it (stack depth): nothing was sent.
        threw = true;
        this.stats.unsendable++;
        return resolve();
      }
      this.stats.sent++;
      this.count(m.kind);
      if (!m.ack) resolve();
    });
  }
}
