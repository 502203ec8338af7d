/**
 * What the echo test call's suites share: a werift caller that talks
 * through the server's echo peer, offers with candidates of the test's
 * choosing, a device connected as if through a reverse proxy, UDP and TCP
 * listeners that count what the server sends them, and /metrics read as
 * numbers.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server as TcpServer } from 'node:net';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import type { Ack, ClientEvent, ClientPayload, ClientReplies, LoginResponse } from '../src/protocol/index.js';
import { afterTest } from './cleanup.js';
import { expectOk, openSocket, type Client, type Device } from './harness.js';

const opus = () => [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })];


/** A werift caller: offers one audio track over testcall:signal and notes when each echoed packet comes back. */
export async function caller(device: Pick<Device, 'socket' | 'emit'>, testId: string) {
  const pc = new RTCPeerConnection({ codecs: { audio: opus(), video: [] } });
  afterTest(() => pc.close());
  const mic = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(mic, { direction: 'sendrecv' });
  const echoed = new Map<number, number>(); // payload marker → arrival time
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => echoed.set(rtp.payload.readUInt32BE(0), Date.now())));
  pc.onIceCandidate.subscribe((c) => {
    if (c) void device.emit('testcall:signal', { testId, candidate: c.toJSON() });
  });
  device.socket.on('testcall:signal', (m) => {
    if (m.testId !== testId) return;
    if (m.description?.sdp) void pc.setRemoteDescription({ type: 'answer', sdp: m.description.sdp });
    if (m.candidate) void pc.addIceCandidate(m.candidate).catch(() => undefined);
  });
  await pc.setLocalDescription(await pc.createOffer());
  expectOk(await device.emit('testcall:signal', { testId, description: { type: 'offer', sdp: pc.localDescription?.sdp ?? '' } }));
  const sent = new Map<number, number>();
  const packet = (n: number, size: number) => {
    const payload = Buffer.alloc(size);
    payload.writeUInt32BE(n, 0);
    return new RtpPacket(new RtpHeader({ sequenceNumber: n & 0xffff, timestamp: (n * 960) >>> 0, payloadType: 111, ssrc: 4242, marker: false }), payload);
  };
  return {
    pc,
    echoed,
    sent,
    /** 20 ms packets, each carrying its number, for `ms`. */
    async talk(ms: number): Promise<void> {
      for (let n = 0; n < ms / 20; n++) {
        sent.set(n, Date.now());
        mic.writeRtp(packet(n, 40));
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** `count` packets of `size` bytes as fast as they go (a turn of the event loop every 50, so they leave). */
    async flood(count: number, size: number): Promise<void> {
      for (let n = 0; n < count; n++) {
        mic.writeRtp(packet(n, size));
        if (n % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/** A werift offer of so many audio and video sections (and a data channel's), bundled unless told; no candidates. */
export async function offerSdp({ audio = 1, video = 0, data = false, bundle = true }: { audio?: number; video?: number; data?: boolean; bundle?: boolean } = {}): Promise<string> {
  const pc = new RTCPeerConnection({ codecs: { audio: opus(), video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000 })] } });
  afterTest(() => pc.close());
  for (let i = 0; i < audio; i++) pc.addTransceiver('audio', { direction: 'sendrecv' });
  for (let i = 0; i < video; i++) pc.addTransceiver('video', { direction: 'sendrecv' });
  if (data) pc.createDataChannel('extra');
  const { sdp } = await pc.createOffer();
  const lines = sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') && !(!bundle && l.startsWith('a=group:BUNDLE')));
  return lines.join('\r\n');
}

/** An offer of one audio section carrying these `a=candidate` values (each `candidate:…`). */
export async function offerWith(candidates: string[]): Promise<string> {
  const lines = (await offerSdp()).split('\r\n');
  const at = lines.findIndex((l) => l.startsWith('a=mid:'));
  lines.splice(at + 1, 0, ...candidates.map((c) => `a=${c}`));
  return lines.join('\r\n');
}

/** A host candidate line; a higher `priority` is checked first. */
export const hostCandidate = (n: number, address: string, port: number, { transport = 'udp', priority = 2_000_000_000 - n } = {}): string =>
  `candidate:${1000 + n} 1 ${transport} ${priority} ${address} ${port} typ host${transport === 'tcp' ? ' tcptype passive' : ''}`;

/** Counts datagrams to one UDP port on every address of this host (IPv4 and IPv6 alike), and TCP connections to one TCP port. */
export interface Listener {
  udpPort: number;
  tcpPort: number;
  datagrams: { from: string; at: number }[];
  connections: number;
  /** Resolves at the first datagram. */
  first: Promise<void>;
}

export async function listen(address = '::'): Promise<Listener> {
  const udp: UdpSocket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
  const tcp: TcpServer = createServer((s) => {
    listener.connections++;
    s.destroy();
  });
  let arrived = () => {};
  const listener: Listener = { udpPort: 0, tcpPort: 0, datagrams: [], connections: 0, first: new Promise<void>((r) => (arrived = r)) };
  udp.on('message', (_msg, from) => {
    listener.datagrams.push({ from: from.address, at: Date.now() });
    arrived();
  });
  await new Promise<void>((resolve) => udp.bind(0, address, resolve));
  await new Promise<void>((resolve) => tcp.listen(0, address, resolve));
  listener.udpPort = udp.address().port;
  listener.tcpPort = (tcp.address() as { port: number }).port;
  afterTest(() => udp.close());
  afterTest(() => new Promise((r) => tcp.close(r)));
  return listener;
}

/** A device whose connection carries X-Forwarded-For, as through a reverse proxy: the server cannot take its address for the caller's. */
export async function proxiedDevice(server: { url: string }, login: LoginResponse): Promise<Pick<Device, 'socket' | 'emit'>> {
  const socket: Client = openSocket(server.url, { token: login.token }, { extraHeaders: { 'x-forwarded-for': '198.51.100.7' } });
  await new Promise<void>((resolve, reject) => {
    socket.once('session:ready', () => resolve());
    socket.once('connect_error', reject);
  });
  const emit = <E extends ClientEvent>(event: E, payload: ClientPayload<E>) =>
    (socket.timeout(5000).emitWithAck as (e: string, p: unknown) => Promise<Ack<ClientReplies[E]>>)(event, payload);
  return { socket, emit };
}

/** One sample of /metrics: `metric('name', { reason: 'rate' })`, 0 when absent. */
export async function metrics(server: { url: string }): Promise<(name: string, labels?: Record<string, string>) => number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return (name, labels = {}) => {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = text.split('\n').find((l) => {
      const m = /^([a-z_]+)(?:\{(.*)\})? /.exec(l);
      return m?.[1] === name && wanted.every((w) => (m[2] ?? '').split(',').includes(w));
    });
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
}

/** Polls `check` every 50 ms until it holds; throws, naming `what`, after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what = 'a condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
