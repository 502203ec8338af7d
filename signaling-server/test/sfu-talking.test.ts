/**
 * The active speaker on the SFU: Janus measures each publisher's audio
 * level header and the server tells the other participants' devices who
 * starts and stops talking (`sfu:talking`, changes only). A real Janus, the
 * real server, and werift participants, one of which sends a real Opus tone
 * with its level in the header (as a browser does), then silence, then the tone again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverSchemas } from '../src/protocol/index.js';
import { missingTool } from './coturn.js';
import { connect, expectOk, register, startTestServer, team, twoNodes, type Device } from './harness.js';
import { startJanus, type Janus } from './janus.js';
import { opusTone, type OpusTone } from './opus-tone.js';
import { joinSfu, type SfuPeer } from './sfu-peer.js';

const noJanus = missingTool('janus', 'janus', 'sfu-talking.test.ts') || missingTool('sox', 'sox', 'sfu-talking.test.ts') || missingTool('opusenc', 'opus-tools', 'sfu-talking.test.ts');
const peers: SfuPeer[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
let janus: Janus | undefined;
let tone: OpusTone | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'parley-talking-'));
beforeAll(async () => {
  if (noJanus) return;
  tone = opusTone(dir, 440);
  janus = await startJanus();
});
afterAll(async () => {
  await janus?.stop();
  rmSync(dir, { recursive: true, force: true });
});
function sfuConfig(): { sfu: { janusUrls: string[]; adminKey: string } } {
  if (!janus) throw new Error('Janus did not start');
  return { sfu: { janusUrls: [janus.url], adminKey: janus.adminKey } };
}

/** What a device was told about who talks, in order, each checked against the app's schema. */
function talking(device: Device, callId: string): { username: string; talking: boolean }[] {
  return device.received
    .filter((r) => r.event === 'sfu:talking')
    .map((r) => {
      expect(serverSchemas['sfu:talking'].safeParse(r.payload).data).toEqual(r.payload);
      return r.payload as { callId: string; username: string; talking: boolean };
    })
    .filter((p) => p.callId === callId)
    .map(({ username, talking }) => ({ username, talking }));
}

const told = (device: Device, callId: string, username: string, value: boolean) =>
  device.next('sfu:talking', (p) => p.callId === callId && p.username === username && p.talking === value, 30_000);

/** Polls `check` (media takes a moment on a loaded machine). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 300) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the peer has answered every sfu:offer its device got (so none is in flight when the test ends). */
async function answered(device: Device, peer: SfuPeer): Promise<void> {
  await until(() => peer.offers >= device.events('sfu:offer').length, `${device.ready.user.username} answers every sfu:offer`);
}

async function openRoom(devices: Device[]): Promise<string> {
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name: 'standup' })).callId;
  return callId;
}

describe('sfu:talking (Janus talking events)', () => {
  it.skipIf(noJanus)('a participant sending a tone is reported talking to the others, not talking once it goes silent, and talking again; one who comes later is told at once; nobody hears about themselves', { timeout: 90_000 }, async () => {
    const server = await startTestServer(sfuConfig());
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const callId = await openRoom([alice, bob, carol, dave]);
    const bobPeer = await joinSfu(bob, callId);
    const carolPeer = await joinSfu(carol, callId);
    const alicePeer = await joinSfu(alice, callId, { tone });
    peers.push(bobPeer, carolPeer, alicePeer);

    await Promise.all([told(bob, callId, 'alice', true), told(carol, callId, 'alice', true)]);
    alicePeer.setSilent(true);
    await Promise.all([told(bob, callId, 'alice', false), told(carol, callId, 'alice', false)]);
    alicePeer.setSilent(false);
    const again = [{ username: 'alice', talking: true }, { username: 'alice', talking: false }, { username: 'alice', talking: true }];
    for (const d of [bob, carol]) await until(() => talking(d, callId).length >= 3, `${d.ready.user.username} told alice talks again`);

    // Changes only, never a stream of levels; bob and carol send no level, so nobody is told they talk.
    for (const d of [bob, carol]) expect(talking(d, callId)).toEqual(again);
    expect(talking(alice, callId)).toEqual([]);

    // Dave starts publishing while alice talks: he is told at once (Janus's list of publishers says so).
    const davePeer = await joinSfu(dave, callId);
    peers.push(davePeer);
    await told(dave, callId, 'alice', true);
    expect(talking(dave, callId)).toEqual([{ username: 'alice', talking: true }]);
    await Promise.all([answered(bob, bobPeer), answered(carol, carolPeer), answered(alice, alicePeer), answered(dave, davePeer)]);
  });

  it.skipIf(noJanus || missingTool('redis-server', 'redis-server', 'sfu-talking.test.ts'))(
    'two nodes on one Janus: each tells its own devices; someone leaving the SFU while talking is reported silent',
    { timeout: 90_000 },
    async () => {
      const [one, two] = await twoNodes(sfuConfig());
      const { alice } = await team(one, 'alice');
      const bob = await connect(two, await register(two, 'bob'));
      const callId = await openRoom([alice, bob]);
      const bobPeer = await joinSfu(bob, callId);
      const alicePeer = await joinSfu(alice, callId, { tone });
      peers.push(bobPeer, alicePeer);

      // Alice publishes through node one; bob, on node two, hears of it from his own handle.
      await told(bob, callId, 'alice', true);
      expectOk(await alice.emit('sfu:leave', { callId }));
      await told(bob, callId, 'alice', false);
      expect(talking(bob, callId)).toEqual([{ username: 'alice', talking: true }, { username: 'alice', talking: false }]);
      expect(talking(alice, callId)).toEqual([]);
      // Bob is offered a subscription without alice; his answer is not left in flight.
      await bob.next('sfu:offer', (p) => p.callId === callId && p.streams.length === 0, 15_000).catch(() => undefined);
      await answered(bob, bobPeer);
    },
  );
});
