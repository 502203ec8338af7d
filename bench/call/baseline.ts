/**
 * The baselines of the call benchmark, measured in the same browser and the
 * same run as Parley's calls, with the same in-page stopwatch (probe.ts):
 *
 * - ring: a click in one page sends one Socket.IO message through a bare
 *   server that forwards it to the other page, which puts an "incoming call"
 *   section in its DOM. No auth, no validation, no state, no app: the floor
 *   for "click Call → callee shows the call".
 * - call: a bare RTCPeerConnection pair in one page, microphones already
 *   open, offer, answer and candidates handed over directly (no server):
 *   the floor for "answer → connected" and "answer → audio both ways".
 * - call connected ahead: the same pair negotiated and connected first, its
 *   senders without a track, as Parley connects while a call rings; its
 *   "answer" gives each sender its microphone (replaceTrack). No app can
 *   start audio sooner, and it shows what the getStats() level does to a
 *   connection whose receivers started before the answer (BENCHMARKS.md).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Server } from 'socket.io';
import { callProbe, type ProbeWindow } from './probe.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare baseline</title></head>
<body>
<button aria-label="Call">Call</button>
<div id="call"></div>
<script src="/socket.io/socket.io.js"></script>
<script>
  var socket = io(); // var: window.socket, for the benchmark to see the transport
  document.querySelector('button').onclick = () => socket.emit('ring');
  socket.on('ring', () => {
    document.getElementById('call').innerHTML = '<section class="call" data-state="incoming">Incoming call</section>';
  });
</script>
</body></html>`;

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** A bare Socket.IO server that forwards `ring` to every other page, and serves that page. */
export async function startBareServer(): Promise<BareServer> {
  const http: HttpServer = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else res.writeHead(404).end();
  });
  const io = new Server(http);
  io.on('connection', (socket) => {
    socket.on('ring', () => socket.broadcast.emit('ring'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

export interface BarePages {
  caller: Page;
  callee: Page;
  close(): Promise<void>;
}

/** Two pages on the bare server, each in its own browser context, with the stopwatch installed. */
export async function openBarePages(browser: Browser, url: string): Promise<BarePages> {
  const open = async () => {
    const context = await browser.newContext({ permissions: ['microphone'] });
    await context.addInitScript(callProbe);
    const page = await context.newPage();
    await page.goto(url);
    // Past Socket.IO's upgrade from long-polling to WebSocket, as Parley's pages are.
    await page.waitForFunction(() => (window as unknown as { socket?: { io: { engine: { transport: { name: string } } } } }).socket?.io.engine.transport.name === 'websocket');
    return { context, page };
  };
  const a = await open();
  const b = await open();
  return {
    caller: a.page,
    callee: b.page,
    async close() {
      await a.context.close();
      await b.context.close();
    },
  };
}

export interface PairTimes {
  /** getUserMedia for one microphone, ms. */
  getUserMediaMs: number;
  /** performance.timeOrigin-based time at which negotiation began. */
  start: number;
}

/**
 * Opens two microphones, then (the timed part) connects a bare peer
 * connection pair in the page. The stopwatch records connected and audible.
 */
export function startBarePair(page: Page): Promise<PairTimes> {
  return page.evaluate(async () => {
    const now = () => performance.timeOrigin + performance.now();
    const g = window as unknown as { __pair?: { pcs: RTCPeerConnection[]; streams: MediaStream[]; audio: HTMLAudioElement[] } };
    const gumStart = now();
    const first = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    const getUserMediaMs = now() - gumStart;
    const second = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    const start = now();
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    const audio: HTMLAudioElement[] = [];
    for (const [pc, other, stream] of [[a, b, first], [b, a, second]] as const) {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.onicecandidate = ({ candidate }) => {
        if (candidate) void other.addIceCandidate(candidate);
      };
      pc.ontrack = ({ streams }) => {
        const el = new Audio();
        el.autoplay = true;
        el.srcObject = streams[0] ?? null;
        audio.push(el);
      };
    }
    g.__pair = { pcs: [a, b], streams: [first, second], audio };
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    return { getUserMediaMs, start };
  });
}

/**
 * The pair connected ahead: opens two microphones, connects the pair with no
 * track on its senders (their packets cannot leave), and returns once both
 * are connected, its peers' audio elements already playing.
 */
export function prepareBarePairAhead(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const g = window as unknown as { __pair?: { pcs: RTCPeerConnection[]; streams: MediaStream[]; audio: HTMLAudioElement[] } };
    const streams = [await navigator.mediaDevices.getUserMedia({ audio: true }), await navigator.mediaDevices.getUserMedia({ audio: true })];
    const pcs = [new RTCPeerConnection(), new RTCPeerConnection()] as const;
    const audio: HTMLAudioElement[] = [];
    pcs.forEach((pc, i) => {
      const other = pcs[1 - i]!;
      for (const track of streams[i]!.getTracks()) void pc.addTrack(track, streams[i]!).replaceTrack(null);
      pc.onicecandidate = ({ candidate }) => {
        if (candidate) void other.addIceCandidate(candidate);
      };
      pc.ontrack = ({ streams: remote }) => {
        const el = new Audio();
        el.autoplay = true;
        el.srcObject = remote[0] ?? null;
        audio.push(el);
      };
    });
    g.__pair = { pcs: [...pcs], streams, audio };
    const connected = pcs.map((pc) => new Promise<void>((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve())));
    const [a, b] = pcs;
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await Promise.all(connected);
  });
}

/** The pair connected ahead is "answered": each sender gets its microphone. Returns when that began. */
export function answerBarePairAhead(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = window as unknown as { __pair: { pcs: RTCPeerConnection[]; streams: MediaStream[] } };
    (window as unknown as ProbeWindow).__benchArm();
    const start = performance.timeOrigin + performance.now();
    g.__pair.pcs.forEach((pc, i) => {
      const track = g.__pair.streams[i]!.getAudioTracks()[0]!;
      void pc.getSenders().find((s) => s.track === null)?.replaceTrack(track);
    });
    return start;
  });
}

export function stopBarePair(page: Page): Promise<void> {
  return page.evaluate(() => {
    const g = window as unknown as { __pair?: { pcs: RTCPeerConnection[]; streams: MediaStream[]; audio: HTMLAudioElement[] } };
    for (const pc of g.__pair?.pcs ?? []) pc.close();
    for (const s of g.__pair?.streams ?? []) for (const t of s.getTracks()) t.stop();
    for (const el of g.__pair?.audio ?? []) el.srcObject = null;
    delete g.__pair;
  });
}

export function resetProbe(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__benchReset());
}

/** The probe reads the statistics from now on (ProbeWindow.__benchArm): at the answer. */
export function armProbe(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__benchArm());
}
