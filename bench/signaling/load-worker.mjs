// One load-generator thread: it holds a slice of the clients (real
// socket.io-client connections) and runs the phases the main thread asks
// for. A call's two sides live in the same thread, so each latency is read
// from one clock (performance.now()).
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { io } from 'socket.io-client';
import { CANDIDATE, OFFER_SDP, ANSWER_SDP, relayCandidate, relaySeq } from './payloads.mjs';
import { error, request, takeErrors } from './worker-errors.mjs';

const now = () => performance.now();
const MEDIA = { audio: true, video: false };

/** @type {{ username: string, token?: string, contacts?: string[], socket: any, setup: any, relay: any }[]} */
let clients = [];
let closing = false;
let presenceReceived = 0;
/** How long a client waits for its session:ready before it counts as failed. */
const READY_TIMEOUT_MS = 60_000;

// ------------------------------------------------------------------ connect

function openParley(url, c, transports) {
  return new Promise((resolve) => {
    const started = now();
    const socket = io(url, {
      auth: { token: c.token, status: 'available', device: `bench-${c.username}` },
      transports,
      forceNew: true,
      reconnection: false,
      timeout: READY_TIMEOUT_MS,
    });
    c.socket = socket;
    const timer = setTimeout(() => {
      error('connect:no-session-ready');
      resolve(null);
    }, READY_TIMEOUT_MS);
    socket.on('connect_error', (err) => {
      clearTimeout(timer);
      error('connect', err.message);
      resolve(null);
    });
    socket.on('disconnect', (reason) => {
      if (!closing) error('disconnect', reason);
    });
    socket.on('session:ready', () => {
      clearTimeout(timer);
      const readyMs = now() - started;
      if (!c.contacts?.length) return resolve({ readyMs, watchedMs: readyMs });
      // As the app lists its directory at once: start watching the contact list.
      request(c, 'presence:watch', { usernames: c.contacts }, 'presence:watch', undefined, () =>
        resolve({ readyMs, watchedMs: now() - started }),
      );
    });
    socket.on('presence:changed', () => presenceReceived++);
    socket.on('call:incoming', (p) => onIncoming(c, p));
    socket.on('call:ringing', (p) => onRinging(c, p));
    socket.on('call:accepted', (p) => onAccepted(c, p));
    socket.on('call:signal', (p) => onSignal(c, p));
    socket.on('call:ended', (p) => onEnded(c, p));
  });
}

function openBaseline(url, c, transports) {
  return new Promise((resolve) => {
    const started = now();
    const socket = io(url, { transports, forceNew: true, reconnection: false, timeout: READY_TIMEOUT_MS });
    c.socket = socket;
    socket.on('connect_error', (err) => {
      error('connect', err.message);
      resolve(null);
    });
    socket.on('disconnect', (reason) => {
      if (!closing) error('disconnect', reason);
    });
    socket.on('connect', () => resolve({ readyMs: now() - started, watchedMs: now() - started }));
    socket.on('signal', (p) => onRelayed(c, p));
  });
}

/** Opens every client, at most `window` handshakes in flight at a time. */
async function connectAll({ url, mode, list, window, transports }) {
  closing = false;
  clients = list.map((c) => ({ ...c, socket: null, setup: null, relay: null }));
  const readyMs = [];
  const watchedMs = [];
  let next = 0;
  const open = mode === 'parley' ? openParley : openBaseline;
  async function lane() {
    while (next < clients.length) {
      const c = clients[next++];
      // A client may name its own node (two-node runs spread clients over the nodes).
      const r = await open(c.url ?? url, c, transports);
      if (r) {
        readyMs.push(r.readyMs);
        watchedMs.push(r.watchedMs);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, clients.length) }, lane));
  return { connected: readyMs.length, readyMs, watchedMs };
}

// ------------------------------------------------------------- call setups

const idle = [];
let setupRun = null;

function startSetup() {
  if (idle.length < 2) return error('setup:no-idle-pair');
  const caller = clients[idle.shift()];
  const callee = clients[idle.shift()];
  const rec = { caller, callee, t0: now(), callId: null, ringing: false, atCaller: 0, atCallee: 0, hungUp: false, ended: false };
  caller.setup = { role: 'caller', rec };
  callee.setup = { role: 'callee', rec };
  setupRun.inFlight++;
  rec.timer = setTimeout(() => failSetup(rec, 'setup:timeout'), setupRun.timeoutMs);
  request(caller, 'call:invite', { to: callee.username, media: MEDIA }, 'call:invite', (reply) => {
    rec.callId = reply.callId;
  });
}

function failSetup(rec, kind) {
  if (rec.done) return;
  rec.done = true;
  clearTimeout(rec.timer);
  error(kind, `${rec.caller.username} -> ${rec.callee.username}`);
  // These two stay out of the pool: their state is unknown.
  if (rec.callId) rec.caller.socket.emit('call:hangup', { callId: rec.callId }, () => undefined);
  setupRun.inFlight--;
  maybeFinishSetups();
}

function finishSetup(rec) {
  if (rec.done || !rec.hungUp || !rec.ended) return;
  rec.done = true;
  clearTimeout(rec.timer);
  if (!rec.ringing) error('setup:no-call:ringing');
  setupRun.setupMs.push(now() - rec.t0);
  rec.caller.setup = rec.callee.setup = null;
  idle.push(clients.indexOf(rec.caller), clients.indexOf(rec.callee));
  setupRun.inFlight--;
  setupRun.completed++;
  maybeFinishSetups();
}

function maybeFinishSetups() {
  if (setupRun?.scheduledAll && setupRun.inFlight === 0) setupRun.resolve();
}

function onIncoming(c, p) {
  const rec = c.setup?.role === 'callee' ? c.setup.rec : null;
  if (rec && !rec.done && p.from.username === rec.caller.username) {
    setupRun.ringMs.push(now() - rec.t0);
    rec.callId ??= p.callId;
    return request(c, 'call:accept', { callId: p.callId }, 'call:accept');
  }
  const pair = c.relay?.pending;
  if (pair && p.from.username === pair.caller.username) {
    pair.callId = p.callId;
    return request(c, 'call:accept', { callId: p.callId }, 'call:accept');
  }
  error('unexpected:call:incoming', `${c.username} from ${p.from.username}`);
}

function onRinging(c, p) {
  const rec = c.setup?.role === 'caller' ? c.setup.rec : null;
  if (rec && (rec.callId === null || rec.callId === p.callId)) rec.ringing = true;
}

function onAccepted(c, p) {
  const rec = c.setup?.role === 'caller' ? c.setup.rec : null;
  if (rec && !rec.done) {
    rec.callId = p.callId;
    return request(c, 'call:signal', { callId: p.callId, description: { type: 'offer', sdp: OFFER_SDP } }, 'call:signal');
  }
  const pair = c.relay?.pending;
  if (pair) {
    pair.callId = p.callId;
    c.relay.pending = null;
    return pair.resolve();
  }
  error('unexpected:call:accepted');
}

function onSignal(c, p) {
  if (c.relay?.pair) return onRelayed(c, p);
  const rec = c.setup?.rec;
  if (!rec || rec.done || p.callId !== rec.callId) return error('unexpected:call:signal');
  const send = (m) => request(c, 'call:signal', { callId: rec.callId, ...m }, 'call:signal');
  if (p.description?.type === 'offer') {
    send({ description: { type: 'answer', sdp: ANSWER_SDP } });
    send({ candidate: CANDIDATE });
    send({ candidate: CANDIDATE });
  } else if (p.description?.type === 'answer') {
    send({ candidate: CANDIDATE });
    send({ candidate: CANDIDATE });
  } else if (p.candidate) {
    if (c.setup.role === 'caller') rec.atCaller++;
    else rec.atCallee++;
    if (rec.atCaller === 2 && rec.atCallee === 2) {
      request(rec.caller, 'call:hangup', { callId: rec.callId }, 'call:hangup', () => {
        rec.hungUp = true;
        finishSetup(rec);
      });
    }
  }
}

function onEnded(c, p) {
  const rec = c.setup?.role === 'callee' ? c.setup.rec : null;
  if (rec && !rec.done && p.callId === rec.callId && p.reason === 'hangup') {
    rec.ended = true;
    return finishSetup(rec);
  }
  if (c.relay) return; // the relay calls' own hang-up
  error('unexpected:call:ended', p.reason);
}

/** Call setups at `rate` per second for `durationS`, open loop (a slow answer does not delay the next invite). */
function runSetups({ rate, durationS, timeoutMs }) {
  return new Promise((resolve) => {
    idle.length = 0;
    for (let i = 0; i < clients.length; i++) if (clients[i].socket?.connected && !clients[i].relay) idle.push(i);
    setupRun = { ringMs: [], setupMs: [], inFlight: 0, completed: 0, scheduledAll: false, timeoutMs, resolve };
    const total = Math.round(rate * durationS);
    const interval = 1000 / rate;
    const t0 = now();
    let k = 0;
    const tick = () => {
      while (k < total && now() >= t0 + k * interval) {
        startSetup();
        k++;
      }
      if (k < total) setTimeout(tick, Math.max(0, t0 + k * interval - now()));
      else {
        setupRun.scheduledAll = true;
        maybeFinishSetups();
      }
    };
    if (total === 0) {
      setupRun.scheduledAll = true;
      return resolve();
    }
    tick();
  }).then(() => {
    const { ringMs, setupMs, completed } = setupRun;
    setupRun = null;
    return { ringMs, setupMs, completed };
  });
}

// ------------------------------------------------------------------- relay

let relayRun = null;

function onRelayed(c, p) {
  const seq = relaySeq(p.candidate?.candidate);
  const sentAt = relayRun?.sent.get(seq);
  if (sentAt === undefined) return error('unexpected:relay');
  relayRun.sent.delete(seq);
  relayRun.latencyMs.push(now() - sentAt);
}

/** Pairs clients up; for parley, each pair is an answered call first. */
async function preparePairs(mode, count) {
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
async function runRelay({ mode, pairs: count, rate, durationS }) {
  const pairs = await preparePairs(mode, count);
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

// --------------------------------------------------------------- presence

function setStatus({ index, status }) {
  return new Promise((resolve) => request(clients[index], 'presence:set', { status }, 'presence:set', undefined, () => resolve({})));
}

function closeAll() {
  closing = true;
  const open = clients.filter((c) => c.socket?.connected).length;
  for (const c of clients) c.socket?.disconnect();
  clients = [];
  return { open };
}

// --------------------------------------------------------------- commands

const COMMANDS = {
  connect: connectAll,
  setups: runSetups,
  relay: runRelay,
  'presence:set': setStatus,
  'presence:count': () => {
    const n = presenceReceived;
    presenceReceived = 0;
    return { received: n };
  },
  close: closeAll,
};

parentPort.on('message', (msg) => {
  Promise.resolve(COMMANDS[msg.type](msg))
    .then((result) => parentPort.postMessage({ id: msg.id, ...result, ...takeErrors() }))
    .catch((err) => parentPort.postMessage({ id: msg.id, failed: String(err?.stack ?? err), ...takeErrors() }));
});
