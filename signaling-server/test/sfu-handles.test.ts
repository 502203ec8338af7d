/**
 * No Janus handle outlives its owner (issue 34, item 1), counted with
 * Janus's Admin API (test/janus.ts): a device whose call ended by another's
 * hang-up is taken off the SFU by the sweep, handles and rooms nobody owns
 * are detached and destroyed, and a device's sfu:* messages run in the
 * order they were sent.
 */
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { JanusGateway } from '../src/sfu/janus-gateway.js';
import { missingTool } from './coturn.js';
import { establishCall, expectOk, startTestServer, team } from './harness.js';
import { sfuSettings, startJanus, type Janus } from './janus.js';
import { gathered, joinSfu, peerConfig } from './sfu-peer.js';

const noJanus = missingTool('janus', 'janus', 'sfu-handles.test.ts');
let janus: Janus | undefined;
beforeAll(async () => {
  if (!noJanus) janus = await startJanus(undefined, undefined, { apiSecret: `test-api-secret-${Date.now()}` });
});
afterAll(async () => {
  await janus?.stop();
});
function theJanus(): Janus {
  if (!janus) throw new Error('Janus did not start');
  return janus;
}

describe('Janus handles', () => {
  it.skipIf(noJanus)("a call ended by the other side's hang-up takes the remaining device off the SFU: Janus holds no handle and no room", { timeout: 60_000 }, async () => {
    const j = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(j) }, { sfuSweepMs: 300 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    const peers = [await joinSfu(alice, callId), await joinSfu(bob, callId)];
    try {
      expect(await j.handles()).toBeGreaterThanOrEqual(2);
      // Bob hangs up: the call ends. Alice sends nothing more (a client that hung, or one that does not care).
      expectOk(await bob.emit('call:hangup', { callId }));
      await expect.poll(() => j.handles(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => j.rooms(), { timeout: 10_000 }).toEqual([]);
      expect(alice.socket.connected).toBe(true);
    } finally {
      for (const p of peers) p.close();
    }
  });

  it.skipIf(noJanus)('a sweep detaches handles and destroys rooms that nobody owned at two sweeps in a row', { timeout: 30_000 }, async () => {
    const j = theJanus();
    const gateway = new JanusGateway(j.url, j.adminKey, createLogger('silent'), j.apiSecret);
    try {
      const owned = await gateway.attach();
      await gateway.attach();
      await gateway.ensureRoom(gateway.room('left-behind'));
      expect(await j.handles()).toBe(2);
      // Once: a handle just attached, or a room just made, may be about to be used.
      await gateway.sweep(new Set([owned]));
      expect(await j.handles()).toBe(2);
      expect(await j.rooms()).toEqual([gateway.room('left-behind').id]);
      await gateway.sweep(new Set([owned]));
      expect(await j.handles()).toBe(1);
      expect(await j.rooms()).toEqual([]);
      await owned.detach();
    } finally {
      await gateway.close();
    }
  });

  it.skipIf(noJanus)("a device's candidate, answer and view sent with its publish are handled after it, not refused", { timeout: 30_000 }, async () => {
    const j = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(j) });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    const pc = new RTCPeerConnection(peerConfig());
    pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const description = { type: 'offer' as const, sdp: await gathered(pc) };
    try {
      // Sent at once, as an app trickles its first candidates right behind its offer.
      const [published, candidate, view] = await Promise.all([
        alice.emit('sfu:publish', { callId, description }),
        alice.emit('sfu:candidate', { callId, connection: 'publish', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } }),
        alice.emit('sfu:view', { callId, feeds: [{ username: 'bob', video: 'off' }] }),
      ]);
      expectOk(published);
      expectOk(candidate);
      expectOk(view);
      // An answer with nothing to answer is still refused, after the publish, for what it is.
      expect(await alice.emit('sfu:answer', { callId, description: { type: 'answer', sdp: 'v=0\r\n' } })).toMatchObject({ ok: false, code: 'bad_request' });
    } finally {
      await pc.close();
    }
  });
});
