/**
 * Meetings on the SFU: a real Janus (Debian package "janus", started with
 * deploy/janus/'s config), the real server with PARLEY_JANUS_URL, and werift
 * participants that speak only the Parley protocol (sfu:* messages). Each
 * publishes its own tagged Opus packets and must receive every other
 * participant's, on the track the server's offer named for them.
 */
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { serverSchemas } from '../src/protocol/index.js';
import { JanusGateway } from '../src/sfu/janus-gateway.js';
import { missingTool } from './coturn.js';
import { connect, expectOk, register, startTestServer, team, twoNodes, type Device } from './harness.js';
import { sfuSettings, startJanus, type Janus } from './janus.js';
import { gathered, joinSfu, peerConfig, type SfuPeer } from './sfu-peer.js';

const noJanus = missingTool('janus', 'janus', 'sfu.test.ts');
const peers: SfuPeer[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
// One Janus for the file (rooms are per call), stopped after the last server (the harness closes each after its test).
let started: Janus | undefined;
beforeAll(async () => {
  // With an api_secret, as deploy/janus sets one: every request of the server's carries it.
  if (!noJanus) started = await startJanus(undefined, undefined, { apiSecret: `test-api-secret-${Date.now()}` });
});
// Janus instances a test stops and starts again (stopped last, like the shared one).
const restarted: Janus[] = [];
afterAll(async () => {
  for (const j of restarted) await j.stop();
  await started?.stop();
});
function theJanus(): Janus {
  if (!started) throw new Error('Janus did not start');
  return started;
}

/** Polls until `check` passes (media takes a moment on a loaded machine), then returns; fails with its last error. */
async function eventually(check: () => void, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Every participant receives every other's packets, each on the track named for its sender, and never its own. */
function expectEveryoneHearsEveryone(peers: Record<string, SfuPeer>): void {
  for (const [me, peer] of Object.entries(peers)) {
    for (const other of Object.keys(peers).filter((n) => n !== me)) {
      const got = peer.received.get(other);
      expect(got?.packets ?? 0, `${me} receives ${other}`).toBeGreaterThan(25);
      expect([...(got?.taggedBy ?? [])], `what ${me} receives as ${other}'s is ${other}'s`).toEqual([other]);
    }
    expect([...peer.received.keys()].sort(), `${me} receives only the others`).toEqual(Object.keys(peers).filter((n) => n !== me).sort());
  }
}

async function openRoom(devices: Device[]): Promise<string> {
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name: 'standup' })).callId;
  return callId;
}

describe('meetings on the SFU (Janus)', () => {
  it.skipIf(noJanus)('three participants publish through the server and each receives the two others; one leaving is dropped from the others', { timeout: 90_000 }, async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await openRoom([alice, bob, carol]);

    const room: Record<string, SfuPeer> = {};
    for (const [name, device] of Object.entries({ alice, bob, carol })) {
      room[name] = await joinSfu(device, callId);
      peers.push(room[name]);
    }
    await eventually(() => expectEveryoneHearsEveryone(room), 45_000);

    // Nothing of Janus reaches a client: no room id, secret, admin key or Janus message.
    for (const d of [alice, bob, carol]) {
      const seen = JSON.stringify(d.received);
      expect(seen).not.toContain(janus.adminKey);
      expect(seen).not.toMatch(/parley-[0-9a-f]{32}|VideoRoom|"janus"|feed_id|secret/);
      // What the app's schemas read, unchanged (server-messages.test.ts, which runs without Janus, leaves the SFU's out).
      for (const { event, payload } of d.received) expect(serverSchemas[event].safeParse(payload).data, event).toEqual(payload);
    }

    // Carol leaves the SFU: the server sends the others a new offer without her.
    const answered = room.alice?.offers ?? 0;
    const aliceOffer = alice.next('sfu:offer', (p) => p.callId === callId && !p.streams.some((s) => s.username === 'carol'), 15_000);
    expectOk(await carol.emit('sfu:leave', { callId }));
    expect((await aliceOffer).streams.map((s) => s.username)).toEqual(['bob']);
    await eventually(() => expect(room.alice?.offers).toBeGreaterThan(answered), 15_000);
    // And the call itself goes on: carol's answer path now refuses, as for any device not on the SFU.
    const refused = await carol.emit('sfu:answer', { callId, description: { type: 'answer', sdp: 'v=0' } });
    expect(refused).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it.skipIf(noJanus)('Janus stopping drops each device with sfu:closed; once it is back, publishing again brings the media back', { timeout: 90_000 }, async () => {
    const janus = await startJanus();
    const port = Number(new URL(janus.url).port);
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([alice, bob]);
    const before: Record<string, SfuPeer> = { alice: await joinSfu(alice, callId), bob: await joinSfu(bob, callId) };
    peers.push(...Object.values(before));
    await eventually(() => expectEveryoneHearsEveryone(before));

    const closed = [alice, bob].map((d) => d.next('sfu:closed', (p) => p.callId === callId, 15_000));
    await janus.stop();
    await Promise.all(closed);
    for (const p of Object.values(before)) p.close();
    // While it is away, publishing is refused as unavailable; the call itself goes on.
    expect(await alice.emit('sfu:publish', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } })).toMatchObject({ ok: false, code: 'unavailable' });

    restarted.push(await startJanus(janus.adminKey, port));
    const after: Record<string, SfuPeer> = { alice: await joinSfu(alice, callId), bob: await joinSfu(bob, callId) };
    peers.push(...Object.values(after));
    await eventually(() => expectEveryoneHearsEveryone(after));
  });

  it.skipIf(noJanus || missingTool('redis-server', 'redis-server', 'sfu.test.ts'))('two Parley nodes share one Janus: participants on each meet in the same room', { timeout: 90_000 }, async () => {
    const janus = theJanus();
    const [one, two] = await twoNodes({ sfu: sfuSettings(janus) });
    const { alice, carol } = await team(one, 'alice', 'carol');
    const bob = await connect(two, await register(two, 'bob'));
    const callId = await openRoom([alice, bob, carol]);
    const room: Record<string, SfuPeer> = { alice: await joinSfu(alice, callId), bob: await joinSfu(bob, callId), carol: await joinSfu(carol, callId) };
    peers.push(...Object.values(room));
    await eventually(() => expectEveryoneHearsEveryone(room), 45_000);
  });

  it.skipIf(noJanus)('publishes and a hang-up sent at once, round after round, leave no handle in Janus and destroy the room', { timeout: 60_000 }, async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([bob]);
    const pc = new RTCPeerConnection(peerConfig());
    pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const description = { type: 'offer' as const, sdp: await gathered(pc) };
    for (let round = 0; round < 12; round++) {
      expectOk(await alice.emit('room:join', { name: 'standup' }));
      // Not awaited: a second publish, then the hang-up, arrive while the first publish waits on Janus.
      const publishing = [alice.emit('sfu:publish', { callId, description }), alice.emit('sfu:publish', { callId, description })];
      await new Promise((r) => setTimeout(r, round % 4));
      expectOk(await alice.emit('call:hangup', { callId }));
      await Promise.all(publishing);
    }
    await pc.close();
    // Bob never published and alice left every time: Janus holds no handle of hers, and the last one out
    // destroyed the room (the audit found ghost publishers here, and the room never destroyed). Counted by
    // Janus itself (its Admin API), with no sweep to help: the server's runs every 10 s.
    expect(await janus.handles()).toBe(0);
    expect(await janus.rooms()).not.toContain(new JanusGateway(janus.url, janus.adminKey, createLogger('silent')).room(callId).id);
  });

  it.skipIf(noJanus)('a first publish Janus refuses leaves no handle and no room behind', async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([alice, bob]);
    // The room is made, then the join's offer is refused: the handle the server detaches itself is not "dropped by Janus".
    expect(await alice.emit('sfu:publish', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } })).toMatchObject({ ok: false });
    expect(await janus.handles()).toBe(0);
    expect(await janus.rooms()).not.toContain(new JanusGateway(janus.url, janus.adminKey, createLogger('silent')).room(callId).id);
  });

  it.skipIf(noJanus)("a server without Janus's api_secret gets nothing from it: sfu:publish is unavailable", async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: { janusUrls: [janus.url], adminKey: janus.adminKey, apiSecret: 'not-the-api-secret-of-janus' } });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([alice, bob]);
    const reply = await alice.emit('sfu:publish', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(reply).toMatchObject({ ok: false, code: 'unavailable' });
    expect(reply.ok ? '' : reply.message).toMatch(/unauthorized/i);
  });

  it.skipIf(noJanus)('only participants of the answered call may publish', async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob, mallory } = await team(server, 'alice', 'bob', 'mallory');
    const callId = await openRoom([alice, bob]);
    const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
    expect(await mallory.emit('sfu:publish', { callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await mallory.emit('sfu:publish', { callId: 'no-such-call', description: offer })).toMatchObject({ ok: false, code: 'not_found' });
    // A participant's malformed SDP is Janus's to refuse: an error, never a crash, and the next publish works.
    expect(await alice.emit('sfu:publish', { callId, description: offer })).toMatchObject({ ok: false, code: 'unavailable' });
    peers.push(await joinSfu(alice, callId));
  });

  it.skipIf(noJanus)("a device's view turns a publisher's video off and on again while the audio goes on, and holds for a publisher who comes later", { timeout: 90_000 }, async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await openRoom([alice, bob, carol]);
    const bobs = await joinSfu(bob, callId);
    peers.push(bobs, await joinSfu(alice, callId, { video: true }));
    const from = (name: string) => bobs.received.get(name) ?? { packets: 0, video: 0 };
    await eventually(() => expect(from('alice').video).toBeGreaterThan(25));

    // Alice's tile is off bob's screen: her video stops coming, her audio does not.
    expectOk(await bob.emit('sfu:view', { callId, feeds: [{ username: 'alice', video: 'off' }, { username: 'carol', video: 'off' }] }));
    await new Promise((r) => setTimeout(r, 500));
    const stopped = { ...from('alice') };
    await new Promise((r) => setTimeout(r, 1500));
    expect(from('alice').video - stopped.video, 'video packets after off').toBeLessThanOrEqual(2);
    expect(from('alice').packets - stopped.packets, 'audio goes on').toBeGreaterThan(25);

    // Carol comes with her camera: bob's view already says off for her.
    peers.push(await joinSfu(carol, callId, { video: true }));
    await eventually(() => expect(from('carol').packets).toBeGreaterThan(50));
    expect(from('carol').video).toBeLessThanOrEqual(2);

    // Back on screen (small): alice's video comes again; carol, left out of the view now, gets the default (sent).
    expectOk(await bob.emit('sfu:view', { callId, feeds: [{ username: 'alice', video: 'low' }] }));
    const resumed = from('alice').video;
    await eventually(() => expect(from('alice').video - resumed).toBeGreaterThan(25));
    await eventually(() => expect(from('carol').video).toBeGreaterThan(25));

    // Only a device on the SFU in that call has a view.
    expect(await carol.emit('sfu:view', { callId: 'no-such-call', feeds: [] })).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it.skipIf(noJanus)('a shared screen is a stream of its own: published again with its mid, the others receive it named as the screen, apart from the camera, and can turn it off', { timeout: 90_000 }, async () => {
    const janus = theJanus();
    const server = await startTestServer({ sfu: sfuSettings(janus) });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([alice, bob]);
    const bobs = await joinSfu(bob, callId);
    const alices = await joinSfu(alice, callId, { video: true });
    peers.push(bobs, alices);
    const from = () => bobs.received.get('alice') ?? { packets: 0, video: 0, screen: 0 };
    await eventually(() => expect(from().video).toBeGreaterThan(25));
    expect(from().screen).toBe(0);

    await alices.shareScreen();
    // Bob's subscription gains alice's screen, named so, beside her camera.
    await eventually(() => expect(from().screen).toBeGreaterThan(25));
    const offered = bob.events('sfu:offer').at(-1)?.streams.filter((s) => s.username === 'alice');
    expect(offered?.map((s) => [s.kind, s.source ?? null]).sort()).toEqual([
      ['audio', null],
      ['video', 'camera'],
      ['video', 'screen'],
    ]);
    const cameraOnly = from().video - from().screen;
    await eventually(() => expect(from().video - from().screen - cameraOnly, 'the camera goes on beside it').toBeGreaterThan(10));

    // Bob's window hidden: no screen, no camera; the audio goes on.
    expectOk(await bob.emit('sfu:view', { callId, feeds: [{ username: 'alice', video: 'off', screen: false }] }));
    await new Promise((r) => setTimeout(r, 500));
    const stopped = { ...from() };
    await new Promise((r) => setTimeout(r, 1500));
    expect(from().screen - stopped.screen, 'screen packets after off').toBeLessThanOrEqual(2);
    expect(from().video - stopped.video, 'video packets after off').toBeLessThanOrEqual(4);
    expect(from().packets - stopped.packets, 'audio goes on').toBeGreaterThan(25);
    // Shown again: the screen comes back.
    expectOk(await bob.emit('sfu:view', { callId, feeds: [] }));
    await eventually(() => expect(from().screen - stopped.screen).toBeGreaterThan(25));
    // A malformed mid is refused before anything reaches Janus.
    expect(await alice.emit('sfu:publish', { callId, description: { type: 'offer', sdp: 'v=0\r\n' }, screenMid: 'a b' })).toMatchObject({ ok: false, code: 'bad_request' });
  });
});

describe('without PARLEY_JANUS_URL', () => {
  it('sfu:* is refused with a sentence saying the server has no SFU', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom([alice, bob]);
    const reply = await alice.emit('sfu:publish', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(reply).toMatchObject({ ok: false, code: 'bad_request' });
    expect((reply as { message: string }).message).toMatch(/no SFU.*PARLEY_JANUS_URL/);
  });
});
