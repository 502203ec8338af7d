/**
 * Several Janus instances (PARLEY_JANUS_URL with more than one URL): each
 * call's room goes to the instance holding the fewest people, everyone in
 * the call meets there (from any node: the choice is shared through Redis),
 * and an instance stopping moves its rooms to one that answers, nobody
 * leaving the call. Real Janus processes, werift participants (sfu-peer.ts).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { JanusGateway } from '../src/sfu/janus-gateway.js';
import { missingTool } from './coturn.js';
import { connect, expectOk, register, startTestServer, team, twoNodes, type Device } from './harness.js';
import { startJanus, type Janus } from './janus.js';
import { joinSfu, type SfuPeer } from './sfu-peer.js';

const noJanus = missingTool('janus', 'janus', 'sfu-instances.test.ts');
const peers: SfuPeer[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
// Stopped after the last server (the harness closes each after its test).
const started: Janus[] = [];
afterAll(async () => {
  for (const j of started) await j.stop();
});

/** Two Janus instances sharing one admin key, and the server setting naming both. */
async function twoJanus(): Promise<{ a: Janus; b: Janus; sfu: { janusUrls: string[]; adminKey: string } }> {
  const a = await startJanus();
  const b = await startJanus(a.adminKey);
  started.push(a, b);
  return { a, b, sfu: { janusUrls: [a.url, b.url], adminKey: a.adminKey } };
}

/** How many people an instance holds, as Janus counts them (its load). */
async function peopleOn(janus: Janus): Promise<number> {
  const gateway = new JanusGateway(janus.url, janus.adminKey, createLogger('silent'));
  try {
    return await gateway.load();
  } finally {
    await gateway.close();
  }
}

async function eventually(check: () => void | Promise<void>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function openRoom(name: string, devices: Device[]): Promise<string> {
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name })).callId;
  return callId;
}

/** Puts each device on the SFU in the call, one after the other (each placed before the next). */
async function onSfu(callId: string, ...devices: Device[]): Promise<SfuPeer[]> {
  const joined: SfuPeer[] = [];
  for (const d of devices) {
    const peer = await joinSfu(d, callId);
    joined.push(peer);
    peers.push(peer);
  }
  return joined;
}

/** Each of `pair` receives the other's packets. */
async function hearEachOther([x, y]: SfuPeer[], [xName, yName]: [string, string]): Promise<void> {
  await eventually(() => {
    expect(x?.received.get(yName)?.packets ?? 0, `${xName} hears ${yName}`).toBeGreaterThan(25);
    expect(y?.received.get(xName)?.packets ?? 0, `${yName} hears ${xName}`).toBeGreaterThan(25);
  });
}

describe('several Janus instances', () => {
  it.skipIf(noJanus)('each new room goes to the instance holding the fewest people, and everyone in a call meets on it', { timeout: 90_000 }, async () => {
    const { a, b, sfu } = await twoJanus();
    const server = await startTestServer({ sfu });
    const { alice, bob, carol, dave, erin } = await team(server, 'alice', 'bob', 'carol', 'dave', 'erin');
    const standup = await openRoom('standup', [alice, bob, carol]);
    await hearEachOther(await onSfu(standup, alice, bob), ['alice', 'bob']);
    await eventually(async () => expect([await peopleOn(a), await peopleOn(b)]).toEqual([2, 0]));
    // The next room goes to the empty instance; the standup's third person still joins hers.
    const retro = await openRoom('retro', [dave, erin]);
    await hearEachOther(await onSfu(retro, dave, erin), ['dave', 'erin']);
    await onSfu(standup, carol);
    await eventually(async () => expect([await peopleOn(a), await peopleOn(b)]).toEqual([3, 2]));
  });

  it.skipIf(noJanus)("an instance stopping moves its rooms to another: everyone publishes again, lands there and is heard, nobody leaving the call", { timeout: 90_000 }, async () => {
    const { a, b, sfu } = await twoJanus();
    const server = await startTestServer({ sfu });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await openRoom('standup', [alice, bob]);
    const before = await onSfu(callId, alice, bob);
    await hearEachOther(before, ['alice', 'bob']);
    expect(await peopleOn(a)).toBe(2);

    const closed = [alice, bob].map((d) => d.next('sfu:closed', (p) => p.callId === callId, 15_000));
    await a.stop();
    await Promise.all(closed);
    for (const p of before) p.close();
    // Publishing again (as the app does on sfu:closed) finds the room's Janus gone and moves the room.
    await hearEachOther(await onSfu(callId, alice, bob), ['alice', 'bob']);
    expect(await peopleOn(b)).toBe(2);
  });

  it.skipIf(noJanus || missingTool('redis-server', 'redis-server', 'sfu-instances.test.ts'))(
    'two Parley nodes agree on the instance of each room, even when the other is less loaded by the time the second node needs it',
    { timeout: 120_000 },
    async () => {
      const { a, b, sfu } = await twoJanus();
      const [one, two] = await twoNodes({ sfu });
      const { alice, carol, erin } = await team(one, 'alice', 'carol', 'erin');
      const onTwo = async (name: string) => connect(two, await register(two, name));
      const [bob, dave, gina] = [await onTwo('bob'), await onTwo('dave'), await onTwo('gina')];
      const x = await openRoom('x', [dave, bob]);
      const y = await openRoom('y', [alice, gina]);
      const z = await openRoom('z', [carol, erin]);
      await onSfu(x, dave); // a: 1
      const [alices] = await onSfu(y, alice); // node one places y on b (empty)
      await onSfu(x, bob); // a: 2
      await onSfu(z, carol, erin); // b: 3
      await eventually(async () => expect([await peopleOn(a), await peopleOn(b)]).toEqual([2, 3]));
      // Node two now finds a the less loaded, but y is on b: Gina joins Alice there.
      const [ginas] = await onSfu(y, gina);
      await hearEachOther([alices as SfuPeer, ginas as SfuPeer], ['alice', 'gina']);
      expect(await peopleOn(b)).toBe(4);
    },
  );
});
