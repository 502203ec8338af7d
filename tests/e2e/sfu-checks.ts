/**
 * What a page's connections to the SFU carry, from their statistics: which
 * are to the SFU, the audio they receive and send, the simulcast encodings a
 * camera goes out in and the video that comes in.
 */
import type { Page } from 'playwright-core';
import { audioProtectionIn, type AudioProtection } from '../../src/renderer/src/call/media/audio-protection.js';
import { expect } from 'vitest';
import type { User } from './harness.js';
import { poll } from './steps.js';

export interface Connection {
  state: RTCPeerConnectionState;
  /** One-way media and no chat channel: a connection to the SFU (a mesh one sends both ways and carries the chat). */
  sfu: boolean;
  sent: number;
  /** Each inbound audio stream: bytes so far and level now. */
  inbound: { bytes: number; level: number }[];
}

/** Every open peer connection of the page: whom it is with and the audio it carries. */
export function connections(page: Page): Promise<Connection[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      pcs.map(async (pc) => {
        const inbound: { bytes: number; level: number }[] = [];
        let sent = 0;
        for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; bytesReceived?: number; bytesSent?: number; audioLevel?: number }>) {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound.push({ bytes: s.bytesReceived ?? 0, level: s.audioLevel ?? 0 });
          if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.bytesSent ?? 0;
        }
        const local = pc.localDescription?.sdp ?? '';
        return { state: pc.connectionState, sfu: local !== '' && !/^a=sendrecv/m.test(local) && !/^m=application/m.test(local), sent, inbound };
      }),
    );
  });
}

/**
 * `u` is on the SFU and hears `others` through it: two open connections, both
 * to the SFU (one-way, no chat channel) and connected, the publish one sending and receiving nothing, the
 * subscribe one receiving `others` audio streams whose bytes grow, each above
 * silence. No mesh connection is left.
 */
export async function expectOnSfu(u: User, others: number): Promise<void> {
  const shape = async () => {
    const pcs = await connections(u.page);
    return pcs.map((c) => `${c.state} ${c.sfu ? 'sfu' : 'peer'} ${c.inbound.some((i) => i.bytes > 0) ? 'subscribe' : 'publish'}`).sort();
  };
  await expect.poll(shape, { ...poll, timeout: 45_000 }).toEqual(['connected sfu publish', 'connected sfu subscribe']);
  const flowing = async () => {
    const before = (await connections(u.page)).find((c) => c.inbound.length > 0);
    await u.page.waitForTimeout(500);
    const now = (await connections(u.page)).find((c) => c.inbound.length > 0);
    const live = (now?.inbound ?? []).filter((i, n) => i.bytes > (before?.inbound[n]?.bytes ?? 0) && i.level > 0.01);
    return live.length;
  };
  await expect.poll(flowing, poll).toBe(others);
  const publish = (await connections(u.page)).find((c) => c.inbound.every((i) => i.bytes === 0));
  expect(publish?.sent, `${u.name} sends its microphone to the SFU`).toBeGreaterThan(0);
}

/** The camera encodings `page` sends to the SFU, by rid, with the frames each encoded so far. */
export function simulcastSent(page: Page): Promise<{ rid: string; frames: number; height: number }[]> {
  return page.evaluate(async () => {
    const out: { rid: string; frames: number; height: number }[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState !== 'closed')) {
      for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; rid?: string; framesEncoded?: number; frameHeight?: number }>) {
        if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid !== undefined) out.push({ rid: s.rid, frames: s.framesEncoded ?? 0, height: s.frameHeight ?? 0 });
      }
    }
    return out;
  });
}

/** The video `page` receives (one camera on in the room): its frame height now, frames decoded and bytes so far. */
export function cameraReceived(page: Page): Promise<{ height: number; frames: number; bytes: number }> {
  return page.evaluate(async () => {
    const got = { height: 0, frames: 0, bytes: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState !== 'closed')) {
      type Inbound = { type: string; kind?: string; frameHeight?: number; framesDecoded?: number; bytesReceived?: number; timestamp: number; lastPacketReceivedTimestamp?: number };
      for (const s of (await pc.getStats()).values() as IterableIterator<Inbound>) {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue;
        // The height of what arrives now: a screen shared earlier keeps its last height in its statistics.
        if (s.timestamp - (s.lastPacketReceivedTimestamp ?? 0) < 1000) got.height = Math.max(got.height, s.frameHeight ?? 0);
        got.frames += s.framesDecoded ?? 0;
        got.bytes += s.bytesReceived ?? 0;
      }
    }
    return got;
  });
}

/** What a failure needs to say: each tile's height in device pixels, and each connection's inbound video now. */
export function videoPaths(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const tiles = [...document.querySelectorAll('section.call .tile')].map((t) => `${t.getAttribute('data-peer') ?? 'self'} ${Math.round(t.getBoundingClientRect().height * devicePixelRatio)} px`);
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState !== 'closed');
    const inbound: string[] = [];
    for (const [i, pc] of pcs.entries()) {
      type Inbound = { type: string; kind?: string; mid?: string; frameHeight?: number; bytesReceived?: number; timestamp: number; lastPacketReceivedTimestamp?: number };
      for (const s of (await pc.getStats()).values() as IterableIterator<Inbound>) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') inbound.push(`pc${i} mid ${s.mid ?? '?'}: ${s.frameHeight ?? 0} lines, ${s.bytesReceived ?? 0} B, last packet ${Math.round(s.timestamp - (s.lastPacketReceivedTimestamp ?? 0))} ms ago`);
      }
    }
    return `tiles [${tiles.join('; ')}], ${pcs.length} connections, inbound video [${inbound.join('; ')}]`;
  });
}

/** What one of the page's SFU connections negotiated for audio, and the codec its audio goes or comes in now. */
export interface SfuAudioNegotiated {
  /** publish: the page's offer, Janus's answer; subscribe: Janus's offer, the page's answer. */
  role: 'publish' | 'subscribe';
  /** What Janus's side of the exchange carries (its answer, or its offer). */
  janus: AudioProtection;
  /** What the page's side carries (its offer, or its answer). */
  page: AudioProtection;
  /** The codecs audio RTP is sent (publish) or received (subscribe) in now, from the statistics. */
  codecs: string[];
}

/** For each open SFU connection of the page, what Janus negotiated for audio and the codec in use. */
export async function sfuAudioNegotiated(page: Page): Promise<SfuAudioNegotiated[]> {
  const raw = await page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      pcs.map(async (pc) => {
        const report = [...(await pc.getStats()).values()] as { type: string; kind?: string; id: string; codecId?: string; mimeType?: string; bytesSent?: number; bytesReceived?: number }[];
        const codecs = report
          .filter((s) => (s.type === 'outbound-rtp' || s.type === 'inbound-rtp') && s.kind === 'audio' && (s.bytesSent ?? s.bytesReceived ?? 0) > 0)
          .map((s) => report.find((c) => c.id === s.codecId)?.mimeType ?? '?');
        return { local: pc.localDescription?.sdp ?? '', remote: pc.remoteDescription?.sdp ?? '', localType: pc.localDescription?.type ?? '', codecs };
      }),
    );
  });
  return raw
    .filter((c) => c.local !== '' && !/^a=sendrecv/m.test(c.local) && !/^m=application/m.test(c.local))
    .map((c) => ({ role: c.localType === 'offer' ? 'publish' : 'subscribe', janus: audioProtectionIn(c.remote), page: audioProtectionIn(c.local), codecs: c.codecs }));
}
