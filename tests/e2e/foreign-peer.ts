/**
 * A second client written from PROTOCOL.md alone, not from the app: signaling
 * with a bare socket.io-client in Node, media with a bare RTCPeerConnection
 * in a Chromium page of its own (no Parley code loaded). It offers exactly
 * the layout a test asks for, sends video only when told, and can leave chat
 * messages unacknowledged, so the suites can check what the app does with
 * any valid peer.
 */
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { World } from './harness.js';

export interface Layout {
  /** Video m-lines in the first offer, each `sendrecv` with no track (no frames until `sendVideo`). */
  video: number;
  /** Acknowledge chat messages (protocol v2 receipts). */
  ack: boolean;
}

interface Wire {
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit | null;
}

/** Runs in the foreign peer's page. */
function pageSide(layout: Layout): void {
  const w = window as unknown as Record<string, unknown> & { __toServer: (s: string) => Promise<void> };
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const send = (s: Wire) => void w.__toServer(JSON.stringify(s));
  const pending: RTCIceCandidateInit[] = [];
  const chat = pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
  const received: unknown[] = [];
  chat.onmessage = ({ data }) => {
    const m = JSON.parse(String(data)) as { v?: number; type: string; id?: string };
    received.push(m);
    if (layout.ack && m.type === 'chat' && m.v === 2) chat.send(JSON.stringify({ v: 2, type: 'ack', id: m.id }));
  };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate?.candidate) send({ candidate: candidate.toJSON() });
  };
  const videos: RTCRtpTransceiver[] = [];
  for (let i = 0; i < layout.video; i++) videos.push(pc.addTransceiver('video', { direction: 'sendrecv' }));
  let canvasTrack: MediaStreamTrack | null = null;
  w.peer = {
    pc,
    received,
    async start(): Promise<void> {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const t of mic.getTracks()) pc.addTrack(t, mic);
    },
    async offer(): Promise<void> {
      await pc.setLocalDescription(await pc.createOffer());
      send({ description: pc.localDescription!.toJSON() });
    },
    async signal(json: string): Promise<void> {
      const { description, candidate } = JSON.parse(json) as Wire;
      if (description) {
        await pc.setRemoteDescription(description);
        for (const c of pending.splice(0)) await pc.addIceCandidate(c);
        if (description.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer());
          send({ description: pc.localDescription!.toJSON() });
        }
      } else if (candidate) {
        if (pc.remoteDescription) await pc.addIceCandidate(candidate);
        else pending.push(candidate);
      }
    },
    async sendVideo(): Promise<void> {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const g = canvas.getContext('2d')!;
      let n = 0;
      setInterval(() => {
        g.fillStyle = `hsl(${(n += 7) % 360} 80% 50%)`;
        g.fillRect(0, 0, 320, 240);
      }, 33);
      canvasTrack = canvas.captureStream(30).getVideoTracks()[0]!;
      await videos[0]!.sender.replaceTrack(canvasTrack);
    },
    async framesReceived(): Promise<number> {
      let frames = 0;
      for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; framesDecoded?: number }>) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      }
      return frames;
    },
    sendChat(text: string): void {
      chat.send(JSON.stringify({ type: 'chat', seq: 1, text, sentAt: Date.now() }));
    },
  };
}

export class ForeignPeer {
  callId = '';

  private constructor(
    readonly page: Page,
    private readonly socket: Socket,
  ) {}

  /** Signs `username` in (registered already) and opens its page with `layout`. */
  static async open(world: World, username: string, layout: Layout): Promise<ForeignPeer> {
    const res = await fetch(`${world.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password` }),
    });
    const { token } = (await res.json()) as { token: string };
    const socket = io(world.url, { auth: { token }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      socket.once('session:ready', () => resolve());
      socket.once('connect_error', reject);
    });
    const context = await world.browser.newContext({ permissions: ['microphone'] });
    const page = await context.newPage();
    await page.goto(`${world.url}/healthz`);
    const peer = new ForeignPeer(page, socket);
    await page.exposeFunction('__toServer', (json: string) => {
      socket.emit('call:signal', { callId: peer.callId, ...(JSON.parse(json) as Wire) }, () => undefined);
    });
    socket.on('call:signal', (msg: Wire & { callId: string }) => {
      const { description, candidate } = msg;
      void page.evaluate((s) => (window as unknown as { peer: { signal(s: string): Promise<void> } }).peer.signal(s), JSON.stringify({ description, candidate }));
    });
    await page.evaluate(pageSide, layout);
    await peer.call('start');
    return peer;
  }

  /** Calls `to`; once answered, offers the layout. */
  async invite(to: string): Promise<void> {
    const accepted = new Promise<void>((resolve) => this.socket.once('call:accepted', () => resolve()));
    const reply = (await this.socket.timeout(5000).emitWithAck('call:invite', { to, media: { audio: true, video: false } })) as { ok: boolean; callId: string };
    if (!reply.ok) throw new Error(`invite: ${JSON.stringify(reply)}`);
    this.callId = reply.callId;
    await accepted;
    await this.call('offer');
  }

  sendVideo(): Promise<void> {
    return this.call('sendVideo');
  }

  framesReceived(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { peer: { framesReceived(): Promise<number> } }).peer.framesReceived());
  }

  /** Chat messages the page got, as parsed JSON. */
  chatReceived(): Promise<{ v?: number; type: string; id?: string; text?: string }[]> {
    return this.page.evaluate(() => (window as unknown as { peer: { received: { type: string }[] } }).peer.received);
  }

  /** Sends a chat message in the old (version 1) shape. */
  sendOldChat(text: string): Promise<void> {
    return this.page.evaluate((t) => (window as unknown as { peer: { sendChat(t: string): void } }).peer.sendChat(t), text);
  }

  async hangUp(): Promise<void> {
    await this.socket.timeout(5000).emitWithAck('call:hangup', { callId: this.callId });
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.page.context().close();
  }

  private call(fn: 'start' | 'offer' | 'sendVideo'): Promise<void> {
    return this.page.evaluate((f) => (window as unknown as { peer: Record<string, () => Promise<void>> }).peer[f]!(), fn);
  }
}
