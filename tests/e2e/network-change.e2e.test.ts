/**
 * A network change in the middle of a call. alice and bob each run their own
 * Chromium in their own network namespace (tests/e2e/netns.ts), joined by a
 * bridge where the server listens. During a call alice's link goes down for
 * five seconds, comes back with a new address, and the call must carry on:
 * the same call, audio both ways again, within the app's recovery limit,
 * and still so once the server has dropped alice's old connection. The test
 * prints how long audio took to resume after the new path came up.
 *
 * Needs root and iproute2; elsewhere it says why and skips.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import {
  ARTIFACTS,
  e2eTest,
  inboundAudio,
  launchChromium,
  openUser,
  registerUser,
  signIn,
  startWorld,
  writeToneWav,
  type User,
  type World,
} from './harness.js';
import { createLab, netnsAvailable, type Lab } from './netns.js';
import { callState, establishCall, expectAudioFlowing, poll, waitState } from './steps.js';

/** How long the app lets a dropped media path take to come back before it ends the call. */
const RECOVERY_LIMIT_MS = 20_000;
const OUTAGE_MS = 5000;
/** Longer than the server's heartbeat (pingInterval + pingTimeout) takes to drop a silent connection. */
const HEARTBEAT_TIMEOUT_MS = 50_000;

const probe = await netnsAvailable();
if (!probe.ok) console.info(`tests/e2e/network-change skipped: ${probe.reason}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** What a page's signaling says about calls, read off every WebSocket it opens. */
interface Signals {
  callIds: Set<string>;
  ended: boolean;
}

function watchSignals(page: Page): Signals {
  const signals: Signals = { callIds: new Set(), ended: false };
  page.on('websocket', (ws) => {
    const read = ({ payload }: { payload: string | Buffer }) => {
      const text = String(payload);
      for (const m of text.matchAll(/"callId":"([^"]+)"/g)) signals.callIds.add(m[1]!);
      if (text.includes('"call:ended"')) signals.ended = true;
    };
    ws.on('framereceived', read);
    ws.on('framesent', read);
  });
  return signals;
}

/** The failure pictures (and the shared Chromium, for the server's world) from the shared fixtures; the rest is the lab's. */
const it = e2eTest();

describe.skipIf(!probe.ok)('network change during a call', () => {
  let lab: Lab | undefined;
  let world: World | undefined;
  const browsers: Browser[] = [];
  let alice: User;
  let bob: User;
  let aliceSignals: Signals;
  let bobSignals: Signals;

  // The server's own pages are none: each user's Chromium runs in a namespace (the world takes the shared one, unused).
  it.beforeAll(async ({ browser }) => {
    lab = await createLab(['a', 'b']);
    world = await startWorld({ host: lab.gateway, browser });
    for (const name of ['alice', 'bob']) await registerUser(world, name);
    const wav = path.join(world.dataDir, 'netns-tone.wav');
    writeToneWav(wav);
    const users: User[] = [];
    for (const [name, side] of [['alice', 'a'], ['bob', 'b']] as const) {
      const browser = await launchChromium(wav, {
        executablePath: lab.side(side).chromium,
        // The server is at the bridge's address, not loopback: let the page use the microphone there.
        args: [`--unsafely-treat-insecure-origin-as-secure=${world.url}`],
      });
      browsers.push(browser);
      users.push(await openUser(world, name, { browser }));
    }
    [alice, bob] = users as [User, User];
    aliceSignals = watchSignals(alice.page);
    bobSignals = watchSignals(bob.page);
    await signIn(alice);
    await signIn(bob);
  }, 60_000);

  it.afterAll(async () => {
    // Browsers first: they live in the namespaces the lab removes. The lab before the server:
    // it aborts the server's connection to alice's old address, which would hold up its close.
    for (const b of browsers) await b.close().catch(() => undefined);
    await lab?.close();
    await world?.close().catch(() => undefined);
  });

  it("alice's link goes down for 5 s and comes back on a new address: the same call resumes, audio both ways", async () => {
    if (!lab || !world) throw new Error('no lab');
    const { io } = world.server;
    const a = lab.side('a');
    const oldAddress = a.address;

    await establishCall(alice, bob, 'Bob');
    expect(aliceSignals.callIds.size).toBe(1);
    const [callId] = [...aliceSignals.callIds];
    expect([...bobSignals.callIds]).toEqual([callId]);

    // The outage, with every change of either side's call state written down.
    const timeline: { name: string; state: string; at: number }[] = [];
    const last = { alice: 'active', bob: 'active' };
    const note = async () => {
      for (const [name, u] of [['alice', alice], ['bob', bob]] as const) {
        const state = await callState(u.page);
        if (state !== last[name]) timeline.push({ name, state, at: Date.now() });
        last[name] = state;
      }
    };
    const fromOldAddress = () => [...io.of('/').sockets.values()].filter((s) => s.handshake.address.endsWith(oldAddress)).length;
    const old = { droppedAt: null as number | null };
    const noteServer = () => {
      if (old.droppedAt === null && fromOldAddress() === 0) old.droppedAt = Date.now();
    };
    // An ended call never comes back: no use waiting for it.
    const over = () => [last.alice, last.bob].some((state) => state === 'ended' || state === 'none');
    const downAt = Date.now();
    await lab.linkDown(a);
    while (Date.now() - downAt < OUTAGE_MS && !over()) {
      await note();
      noteServer();
      await sleep(100);
    }
    await lab.changeAddress(a, 21);
    await lab.linkUp(a);
    const upAt = Date.now();

    // Until both sides' inbound audio grows again, reading every 100 ms.
    const prev: Record<'alice' | 'bob', number | null> = { alice: null, bob: null };
    const resumed: Record<'alice' | 'bob', number | null> = { alice: null, bob: null };
    for (let tick = upAt; Date.now() - upAt < RECOVERY_LIMIT_MS && (resumed.alice === null || resumed.bob === null) && !over(); tick += 100) {
      await sleep(tick - Date.now());
      await note();
      noteServer();
      for (const [name, u] of [['alice', alice], ['bob', bob]] as const) {
        const bytes = (await inboundAudio(u.page))?.bytesReceived ?? null;
        if (resumed[name] === null && bytes !== null && prev[name] !== null && bytes > prev[name]) resumed[name] = Date.now() - upAt;
        prev[name] = bytes;
      }
    }
    const changes = timeline.map((t) => `${t.name} ${t.state} at ${t.at - upAt} ms`);
    console.info(`network change: link down ${downAt - upAt} ms, up at 0 ms; call states: ${changes.join(', ') || 'no change'}`);
    const both = resumed.alice !== null && resumed.bob !== null ? Math.max(resumed.alice, resumed.bob) : null;
    if (both !== null) {
      console.info(`network change: audio resumed ${both} ms after the new path came up (alice hears bob after ${resumed.alice} ms, bob hears alice after ${resumed.bob} ms)`);
    } else if (over()) {
      console.info('network change: audio did NOT resume: the call ended');
    } else {
      console.info(`network change: audio did NOT resume within ${RECOVERY_LIMIT_MS} ms of the new path coming up (alice ${resumed.alice ?? 'no'}, bob ${resumed.bob ?? 'no'})`);
    }
    expect(changes.filter((t) => !/ (active|reconnecting) at /.test(t)), 'the call never ends').toEqual([]);
    expect(both, 'audio resumed both ways within the recovery limit').not.toBeNull();

    // The server lets go of alice's old connection (from her old address) when she reconnects or,
    // at the latest, when its heartbeat times out: the call must outlive that too.
    await expect
      .poll(() => {
        noteServer();
        return old.droppedAt;
      }, { timeout: HEARTBEAT_TIMEOUT_MS, interval: 250 })
      .not.toBeNull();
    console.info(`network change: the server dropped alice's old connection ${(old.droppedAt ?? 0) - upAt} ms after the link came up`);

    // Still the same call, in call, with audio both ways.
    expect(await callState(alice.page)).toBe('active');
    expect(await callState(bob.page)).toBe('active');
    expect(aliceSignals.ended || bobSignals.ended).toBe(false);
    expect([...aliceSignals.callIds]).toEqual([callId]);
    expect([...bobSignals.callIds]).toEqual([callId]);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'network-change-alice.png') });
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'network-change-bob.png') });

    // Hung up, the history holds that one call, answered, its talk time spanning the outage.
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, bob]) {
      await waitState(u.page, 'ended');
      await u.page.getByRole('button', { name: 'Close' }).click({ timeout: 2000 }).catch(() => undefined);
      await u.page.getByRole('button', { name: /^History/ }).click();
      const rows = u.page.locator('section[aria-labelledby="history-title"] li');
      await expect.poll(() => rows.count(), poll).toBe(1);
      expect(await rows.first().getAttribute('data-call')).toBe(callId);
      expect(await rows.first().locator('.outcome').textContent()).toBe('Answered');
      const [m, s] = ((await rows.first().locator('.duration').textContent()) ?? '0:00').split(':').map(Number);
      expect((m ?? 0) * 60 + (s ?? 0)).toBeGreaterThanOrEqual(OUTAGE_MS / 1000);
    }
  }, 150_000);

  it('a path that never comes back with the network ends the call as failed on both sides within the limit, said as a dropped network, and both histories say so', async () => {
    if (!lab) throw new Error('no lab');
    const a = lab.side('a');
    await establishCall(alice, bob, 'Bob');
    const callId = [...aliceSignals.callIds].at(-1);
    const downAt = Date.now();
    await lab.linkDown(a);
    // ICE reports the loss after some seconds, then the app gives the path its recovery limit.
    for (const u of [alice, bob]) await waitState(u.page, 'ended', RECOVERY_LIMIT_MS + 15_000);
    console.info(`network change: with no path back, the call ended ${Date.now() - downAt} ms after alice's link went down`);
    for (const u of [alice, bob]) {
      expect(await u.page.locator('.ended-reason').textContent()).toBe('Call failed: the connection was lost');
      // The path was up, then went: said as such, never as a network that blocks calls.
      expect(await u.page.locator('body').textContent()).not.toContain('TURN');
    }
    // bob saw her connection to the server go, then her path: her network went away.
    expect((await bob.page.getByRole('alert').textContent())?.trim()).toBe(
      "Alice's network went away: neither the server nor this call could reach them, and they did not come back in time.",
    );
    // Back online, alice's app catches up with the server; both histories record the failure.
    await lab.changeAddress(a, 22);
    await lab.linkUp(a);
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: 'Close' }).click({ timeout: 2000 }).catch(() => undefined);
      await u.page.getByRole('button', { name: /^History/ }).click();
      const newest = u.page.locator('section[aria-labelledby="history-title"] li').first();
      await expect.poll(() => newest.getAttribute('data-call'), { ...poll, timeout: 30_000 }).toBe(callId);
      // Answered, then lost with alice's network: bob gave up with the server saying she was away
      // (its heartbeat notices within 20 s, his path limit runs 20 s after ICE notices), so both say her network dropped.
      await expect.poll(() => newest.locator('.outcome').textContent(), poll).toBe('Network dropped');
    }
  }, 150_000);
});
