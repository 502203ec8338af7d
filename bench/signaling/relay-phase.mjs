// In a load-generator thread: the relay measurement. Pairs of clients (for
// Parley, each an answered call) send each other candidates at a fixed rate;
// each one's latency is read on the one clock of the thread holding both.
import { performance } from 'node:perf_hooks';
import { MEDIA, relayCandidate, relaySeq } from './payloads.mjs';
import { error, request } from './worker-errors.mjs';

const now = () => performance.now();

let relayRun = null;

export function onRelayed(c, p) {
  const seq = relaySeq(p.candidate?.candidate);
  const sentAt = relayRun?.sent.get(seq);
  if (sentAt === undefined) return error('unexpected:relay');
  relayRun.sent.delete(seq);
  relayRun.latencyMs.push(now() - sentAt);
}

/** Pairs clients up; for parley, each pair is an answered call first. */
async function preparePairs(clients, mode, count) {
  const pairs = [];
  const free = clients.filter((c) => c.socket?.connected && !c.setup);
  for (let i = 0; i + 1 < free.length && pairs.length < count; i += 2) {
    const [a, b] = [free[i], free[i + 1]];
    const pair = { caller: a, callee: b, callId: `relay-${pairs.length}` };
    a.relay = { pair, peer: b };
    b.relay = { pair, peer: a };
    pairs.push(pair);
  }
  if (mode === 'parley') {
    // Ten at a time, like people calling, not all in one burst.
    for (let i = 0; i < pairs.length; i += 10) {
      await Promise.all(
        pairs.slice(i, i + 10).map(
          (pair) =>
            new Promise((resolve) => {
              const timer = setTimeout(() => {
                error('relay:setup-timeout');
                pair.resolve();
              }, 15_000);
              pair.resolve = () => {
                clearTimeout(timer);
                resolve();
              };
              pair.callee.relay.pending = pair;
              pair.caller.relay.pending = pair;
              request(pair.caller, 'call:invite', { to: pair.callee.username, media: MEDIA }, 'relay:invite');
            }),
        ),
      );
    }
    for (const pair of pairs) pair.callee.relay.pending = null;
  }
  return pairs;
}

/** One `call:signal` (or baseline `signal`) per 1/rate s over all pairs, each pair taking turns in direction. */
export async function runRelay(clients, { mode, pairs: count, rate, durationS }) {
  const pairs = await preparePairs(clients, mode, count);
  relayRun = { sent: new Map(), latencyMs: [] };
  let seq = 0;
  const total = Math.round(rate * durationS);
  const interval = 1000 / rate;
  await new Promise((resolve) => {
    if (pairs.length === 0 || total === 0) return resolve();
    const t0 = now();
    let k = 0;
    const tick = () => {
      while (k < total && now() >= t0 + k * interval) {
        const pair = pairs[k % pairs.length];
        const [from, to] = Math.floor(k / pairs.length) % 2 === 0 ? [pair.caller, pair.callee] : [pair.callee, pair.caller];
        const s = ++seq;
        const message = { callId: pair.callId, candidate: relayCandidate(s) };
        relayRun.sent.set(s, now());
        // No acknowledgement asked for: the bare relay sends none, so both
        // carry the same messages and the difference is Parley's own work.
        // (A refused signal would show as a lost one.)
        if (mode === 'parley') from.socket.emit('call:signal', message);
        else from.socket.emit('signal', to.socket.id, message);
        k++;
      }
      if (k < total) setTimeout(tick, Math.max(0, t0 + k * interval - now()));
      else setTimeout(resolve, 1000); // the last messages land
    };
    tick();
  });
  const lost = relayRun.sent.size;
  if (lost > 0) error('relay:lost', lost);
  const { latencyMs } = relayRun;
  relayRun = null;
  if (mode === 'parley') {
    await Promise.all(
      pairs.map((p) => new Promise((resolve) => request(p.caller, 'call:hangup', { callId: p.callId }, 'relay:hangup', undefined, resolve))),
    );
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const p of pairs) p.caller.relay = p.callee.relay = null;
  return { latencyMs, pairs: pairs.length };
}
