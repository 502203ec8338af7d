// One load-generator thread: it holds a slice of the clients (real
// socket.io-client connections) and runs the phases the main thread asks
// for. A call's two sides live in the same thread, so each latency is read
// from one clock (performance.now()).
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { io } from 'socket.io-client';
import { CANDIDATE, OFFER_SDP, ANSWER_SDP, MEDIA } from './payloads.mjs';
import { onRelayed, runRelay } from './relay-phase.mjs';
import { allSeen, resetSeen, sawOnline, track } from './seen-all.mjs';
import { error, request, takeErrors } from './worker-errors.mjs';

const now = () => performance.now();

/** @type {{ username: string, token?: string, contacts?: string[], socket: any, setup: any, relay: any }[]} */
let clients = [];
let closing = false;
/** Presence changes delivered (one by one or in batches) since the last count. */
let presenceReceived = 0;
/** How long a client waits for its session:ready before it counts as failed. */
const READY_TIMEOUT_MS = 60_000;

// ------------------------------------------------------------------ connect

/** How clients name their contacts: in the handshake (`auth.watch`, as the app does) or with presence:watch after it. */
let watchBy = 'handshake';

function openParley(url, c, transports) {
  return new Promise((resolve) => {
    const started = now();
    const inHandshake = watchBy === 'handshake' && c.contacts?.length > 0;
    const socket = io(url, {
      // As the app asks: presence in batches (presence:changes), the contact list named in the handshake.
      auth: { token: c.token, status: 'available', device: `bench-${c.username}`, presenceBatch: true, ...(inHandshake && { watch: c.contacts }) },
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
    socket.on('session:ready', (ready) => {
      clearTimeout(timer);
      const readyMs = now() - started;
      if (inHandshake) for (const p of ready.presence) if (p.username !== c.username && p.status !== 'offline') sawOnline(c, p.username);
      if (!c.contacts?.length || inHandshake) return resolve({ readyMs, watchedMs: readyMs });
      // An older server: start watching the contact list with a message.
      request(
        c,
        'presence:watch',
        { usernames: c.contacts },
        'presence:watch',
        (reply) => {
          for (const p of reply.presence) if (p.status !== 'offline') sawOnline(c, p.username);
        },
        () => resolve({ readyMs, watchedMs: now() - started }),
      );
    });
    // Changes delivered, one by one or in batches: what the fan-out figure counts.
    const changed = (p) => {
      presenceReceived++;
      if (p.status !== 'offline') sawOnline(c, p.username);
    };
    socket.on('presence:changed', changed);
    socket.on('presence:changes', ({ changes }) => changes.forEach(changed));
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
    socket.on('connect', () => {
      const readyMs = now() - started;
      if (!c.contacts?.length) return resolve({ readyMs, watchedMs: readyMs });
      // The relay's bare presence (baseline-server.mjs): say who this is, then watch the contacts.
      socket.emit('hello', c.username);
      socket.timeout(15_000).emit('watch', c.contacts, (err, online) => {
        if (err) error('watch:timeout');
        else for (const u of online) sawOnline(c, u);
        resolve({ readyMs, watchedMs: now() - started });
      });
    });
    socket.on('online', (username) => sawOnline(c, username));
    socket.on('signal', (p) => onRelayed(c, p));
  });
}

/**
 * Opens every client, at most `window` handshakes in flight at a time. With
 * `append`, the clients join those already open (which keep their indexes).
 */
async function connectAll({ url, mode, list, window, transports, watchBy: by, append = false }) {
  closing = false;
  watchBy = by ?? 'handshake';
  const fresh = list.map((c) => ({ ...c, socket: null, setup: null, relay: null }));
  if (!append) resetSeen();
  clients = append ? clients.concat(fresh) : fresh;
  for (const c of fresh) track(c);
  const readyMs = [];
  const watchedMs = [];
  let next = 0;
  const open = mode === 'parley' ? openParley : openBaseline;
  async function lane() {
    while (next < fresh.length) {
      const c = fresh[next++];
      // A client may name its own node (two-node runs spread clients over the nodes).
      const r = await open(c.url ?? url, c, transports);
      if (r) {
        readyMs.push(r.readyMs);
        watchedMs.push(r.watchedMs);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, fresh.length) }, lane));
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
  relay: (msg) => runRelay(clients, msg),
  'presence:set': setStatus,
  'presence:count': () => {
    const n = presenceReceived;
    presenceReceived = 0;
    return { received: n };
  },
  'seen-all': allSeen,
  close: closeAll,
};

parentPort.on('message', (msg) => {
  Promise.resolve(COMMANDS[msg.type](msg))
    .then((result) => parentPort.postMessage({ id: msg.id, ...result, ...takeErrors() }))
    .catch((err) => parentPort.postMessage({ id: msg.id, failed: String(err?.stack ?? err), ...takeErrors() }));
});
