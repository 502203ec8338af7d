/**
 * A call through a server with TURN, in the browser: coturn on loopback with
 * the deploy kit's config, short-lived credentials. Each side's connection
 * takes the TURN credentials of its call from the call's ack (the callee's,
 * made while the call rang with the session's STUN-only servers, too), and
 * renews them with call:ice before they expire; coturn gives the caller's
 * connection a relay with them.
 *
 * Whether the call's own connections gather a relay is a race, and not the
 * point: Chromium stops gathering once a path works, and on loopback the
 * direct one works before coturn's allocation (two round trips) completes.
 * So each side's credentials are proven on coturn by Chromium's own TURN
 * client in a relay-only connection configured as the call's is.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { turnCredential } from '../../signaling-server/src/ice-servers.js';
import { allocateWhenUp, missingTool, startCoturn, type Coturn } from '../../signaling-server/test/coturn.js';
import { TurnClient } from '../../signaling-server/test/turn-client.js';
import { e2eTest } from './harness.js';
import { establishCall, expectAudioFlowing, waitState } from './steps.js';

const SECRET = 'a-shared-turn-secret-for-the-browser-test';
/** Short enough that the app renews within the test (at 80% of it, and not before 15 s). */
const TTL_S = 20;

/** This file's coturn, for its output when a test fails. */
let coturn: Coturn | undefined;

const it = e2eTest({ team: ['alice', 'bob'], onFailure: () => console.error(`coturn:\n${coturn?.output().slice(-4000) ?? ''}`) })
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its destructuring
  .extend('coturn', { scope: 'file' }, async ({}, { onCleanup }) => {
    const started = await startCoturn(SECRET);
    coturn = started;
    onCleanup(() => started.stop());
    // Chromium asks a TURN server once per gathering: coturn must answer before the call (it may still be starting on a busy machine).
    const probe = new TurnClient('127.0.0.1', started.port);
    const name = `${Math.floor(Date.now() / 1000) + 60}:probe`;
    await allocateWhenUp(probe, name, turnCredential(SECRET, name)).finally(() => probe.close());
    return started;
  })
  .extend('worldOptions', { scope: 'file' }, ({ coturn }) => ({ ice: { turnUrls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], turnSecret: SECRET, turnTtlS: TTL_S } }));

/** The TURN usernames each live connection of the page is configured with. */
function turnOf(page: Page): Promise<{ usernames: string[] }[]> {
  return page.evaluate(() =>
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => ({ usernames: (pc.getConfiguration().iceServers ?? []).flatMap((s) => (s.username ? [s.username] : [])) })),
  );
}

/**
 * The relay candidates a relay-only connection gathers with the ICE servers
 * (credentials included) of the page's one live call connection.
 */
function relaysWithCallServers(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const [pc] = pcs.filter((p) => p.connectionState !== 'closed');
    if (!pc) return 0;
    const probe = new RTCPeerConnection({ iceServers: pc.getConfiguration().iceServers ?? [], iceTransportPolicy: 'relay' });
    try {
      let relays = 0;
      const gathered = new Promise<void>((resolve) => {
        probe.onicecandidate = (e) => {
          if (!e.candidate) resolve();
          else if (e.candidate.type === 'relay') relays++;
        };
      });
      probe.createDataChannel('probe');
      await probe.setLocalDescription();
      await gathered;
      return relays;
    } finally {
      probe.close();
      // The instrumentation recorded it; the other probes read the call's connection as the last one.
      pcs.splice(pcs.indexOf(probe), 1);
    }
  });
}

/** The expiry (Unix seconds) of the TURN credentials of the page's one live connection. */
async function expiry(page: Page): Promise<number> {
  const [pc] = await turnOf(page);
  return Number(pc?.usernames[0]?.split(':')[0] ?? 0);
}

describe.skipIf(missingTool('turnserver', 'coturn', 'turn.e2e.test.ts'))('a call through a server with TURN', () => {
  it("each side's connection takes its call's TURN credentials and renews them before they expire; coturn relays with them", async ({ team: { alice, bob } }) => {
    const placedAt = Math.floor(Date.now() / 1000);
    await establishCall(alice, bob, 'Bob');
    // One connection each, configured with this call's TURN credentials (bob's since his answer).
    for (const u of [alice, bob]) {
      expect(await turnOf(u.page)).toHaveLength(1);
      expect(await expiry(u.page)).toBeGreaterThanOrEqual(placedAt + TTL_S);
    }
    // coturn takes them: Chromium allocates a relay with each side's.
    for (const u of [alice, bob]) expect(await relaysWithCallServers(u.page)).toBeGreaterThan(0);
    const first = { alice: await expiry(alice.page), bob: await expiry(bob.page) };

    // 80% of 20 s in: both have asked for fresh ones, and their connections have them.
    await expect.poll(() => expiry(alice.page), { timeout: 30_000, interval: 500 }).toBeGreaterThan(first.alice);
    await expect.poll(() => expiry(bob.page), { timeout: 30_000, interval: 500 }).toBeGreaterThan(first.bob);
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
  });
});
