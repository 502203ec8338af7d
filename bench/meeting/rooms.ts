/**
 * One person's cost in a meeting, mesh against SFU: the app signed in as
 * alice in a browser of its own (bench/client's, read from /proc), in a
 * voice room of `people`. The others are werift participants in this
 * process, each sending a real Opus tone, so only alice's work counts and a
 * room of ten fits this machine: on the mesh each connects to her
 * (signaling-server/test/mesh-peer.ts), on the SFU each publishes to Janus
 * (signaling-server/test/sfu-peer.ts). Her browser receives the same either
 * way: one Opus stream per other person. Her upload is read from her page's
 * own statistics: the RTP payload of her outbound audio, and everything her
 * connections sent.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectOk, type Device } from '../../signaling-server/test/harness.js';
import type { OpusTone } from '../../signaling-server/test/opus-tone.js';
import { meshMember } from '../../signaling-server/test/mesh-peer.js';
import { joinSfu, type SfuPeer } from '../../signaling-server/test/sfu-peer.js';
import { user, type Site } from '../../tests/e2e/harness.js';
import { joinRoom, leave } from '../../tests/e2e/rooms.js';
import { waitState } from '../../tests/e2e/steps.js';
import { ownBrowser, read, type Reading } from '../client/run.js';
import { inboundAudioFlowing } from './delay.js';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type MediaPath = 'mesh' | 'sfu';

export interface RoomReading extends Reading {
  people: number;
  path: MediaPath;
  /** RTP payload of alice's outbound audio, kbit/s: her voice, once per stream she sends. */
  uploadKbps: number;
  /** Everything her connections sent (RTP and RTCP headers, SRTP, STUN), kbit/s. */
  wireUploadKbps: number;
  /** Her connections in the call. */
  connections: number;
}

/** Bytes alice's connected connections have sent: outbound audio payload, and all of it. */
function sent(page: Page): Promise<{ payload: number; wire: number; connections: number }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    let payload = 0;
    let wire = 0;
    for (const pc of pcs)
      for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; bytesSent?: number }>) {
        if (s.type === 'outbound-rtp' && s.kind === 'audio') payload += s.bytesSent ?? 0;
        if (s.type === 'transport') wire += s.bytesSent ?? 0;
      }
    return { payload, wire, connections: pcs.length };
  });
}

export interface Crowd {
  /** Brings `count` others into the room `name` (alice joins after); returns how to send them away. */
  join(name: string, count: number): Promise<() => Promise<void>>;
}

/** The others as werift participants signed in as `devices`, each connecting to whoever joins after it and sending `tone` (the mesh). */
export function meshCrowd(devices: Device[], tone: OpusTone): Crowd {
  return {
    async join(name, count) {
      const members = devices.slice(0, count).map((d) => meshMember(d, tone));
      for (const m of members) await m.join(name);
      return async () => {
        for (const m of members) await m.leave();
      };
    },
  };
}

/** The others as werift participants signed in as `devices`, each publishing `tone` (the SFU). */
export function sfuCrowd(devices: Device[], tone: OpusTone): Crowd {
  return {
    async join(name, count) {
      const present = devices.slice(0, count);
      let callId = '';
      const peers: SfuPeer[] = [];
      for (const d of present) {
        callId = expectOk(await d.emit('room:join', { name })).callId;
        peers.push(await joinSfu(d, callId, { tone }));
      }
      return async () => {
        for (const p of peers) p.close();
        for (const d of present) await d.emit('call:hangup', { callId });
      };
    },
  };
}

/** Alice's browser over the window, in a room of `people` with `crowd` as the others. */
export async function measureRoom(site: Pick<Site, 'url'>, wav: string, crowd: Crowd, path: MediaPath, people: number, options: { seconds: number; settleSeconds: number }): Promise<RoomReading> {
  const room = `${path}-${people}`;
  const { browser, root } = await ownBrowser(wav);
  let dismiss = () => Promise.resolve();
  try {
    // Signed in before the others meet: a busy machine slows a sign-in past the harness's patience.
    const alice = await user({ url: site.url, browser }, 'alice');
    dismiss = await crowd.join(room, people - 1);
    await joinRoom(alice, room);
    await waitState(alice.page, 'active', 60_000);
    await expect.poll(() => inboundAudioFlowing(alice.page), { timeout: 90_000, message: `${room}: alice hears everyone` }).toBe(people - 1);
    await sleep(options.settleSeconds * 1000);
    // The byte counts around the same window as the CPU.
    const before = await sent(alice.page);
    const reading = await read(root, { seconds: options.seconds, settleSeconds: 0 });
    const after = await sent(alice.page);
    const kbps = (bytes: number) => Math.round((bytes * 8) / options.seconds / 100) / 10;
    await leave(alice);
    return { ...reading, people, path, uploadKbps: kbps(after.payload - before.payload), wireUploadKbps: kbps(after.wire - before.wire), connections: after.connections };
  } finally {
    await browser.close();
    await dismiss();
  }
}
