/**
 * Speech on a lossy uplink (issue 39), once, in the lab (netns.ts): Alice's
 * uplink loses 10 % of its packets at random (net-conditions.ts `loss10`,
 * seeded). Parley's offer and answer carry the protection chosen
 * (call/media/audio-protection.ts: RED, and Opus in-band FEC), Alice's
 * packets carry three earlier frames once Bob reports the loss (more than
 * three times the bare pair's audio bitrate), and Bob's concealed samples from
 * Alice stay under issue 39's 2 %. Each side is told,
 * in words, whose connection loses the packets, and the call is shot in the
 * six looks.
 *
 * A bare pair of RTCPeerConnections (Chromium's defaults) between the same
 * two browsers is read on the same loss and printed beside it, but no bound
 * is put between the two: at 10 % random loss Chromium's default Opus FEC
 * already keeps the bare pair's concealment near 1 % (FEC-rebuilt frames
 * are not counted as concealed), and over six runs of bench:quality the two
 * crossed (Parley 0.3 to 1.6 %, the bare pair 0.5 to 3.9 %); a bound between
 * them would fail at random. What RED adds is in bench:quality's reference
 * score and in its burst-loss row. Checks only: each reading waits for so
 * much audio received, never for a time.
 *
 * Needs root, iproute2, tc and python3 (the lab's shaper); elsewhere it says why and skips.
 */
import { describe, expect } from 'vitest';
import { bareCall, parleyCall, startLabCalls, type LabCalls, type OpenCall } from '../../bench/quality/lab-calls.js';
import { readSpeech, receivedMore, type SpeechReading } from '../../bench/quality/measure.js';
import { audioProtectionIn } from '../../src/renderer/src/call/media/audio-protection.js';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { e2eTest } from './harness.js';
import { poll } from './steps.js';
import { checkScreen } from './ui-checks.js';
import { CONDITIONS } from './net-conditions.js';
import { netnsAvailable } from './netns.js';

/** Concealed samples, percent of those received, at 10 % loss: issue 39's target for Parley. */
const CONCEALED_PCT = 2;
/** Audio received after the loss starts before the reading (the receivers' reports reach the sender), and the reading, s. */
const SETTLE_S = 2;
const READ_S = 6;
/**
 * A window whose packets were lost well past the condition's 10 % says the lab
 * lost them (its user-space shaper starved of CPU on a loaded machine: 14.6 %
 * in one CI run), not the condition: such a window is read again, up to this
 * many times in all.
 */
const WINDOWS = 3;
const LAB_SLACK_POINTS = 3;

const probe = await netnsAvailable();
if (!probe.ok) console.info(`tests/e2e/speech-quality skipped: ${probe.reason}`);
const noPython = missingTool('python3', 'python3', 'speech-quality.e2e.test.ts');

const it = e2eTest();

/** What Bob hears at 10 % loss on Alice's uplink; `meanwhile` runs with the loss still on. */
async function atLoss(calls: LabCalls, call: OpenCall, meanwhile?: () => Promise<void>): Promise<SpeechReading> {
  await calls.lab.shape(calls.lab.side('a'), CONDITIONS.loss10);
  try {
    await receivedMore(call.receiver, SETTLE_S);
    let reading = await readSpeech(call.sender, call.receiver, READ_S);
    for (let i = 1; i < WINDOWS && reading.packetLossPct > CONDITIONS.loss10.lossPct + LAB_SLACK_POINTS; i++) {
      console.info(`speech-quality: a window lost ${reading.packetLossPct} % of its packets, past the condition's: read again`);
      reading = await readSpeech(call.sender, call.receiver, READ_S);
    }
    await meanwhile?.();
    return reading;
  } finally {
    await calls.lab.shape(calls.lab.side('a'), CONDITIONS.clean);
    await call.hangUp();
  }
}

function descriptions(call: OpenCall) {
  const read = (page: OpenCall['sender']) =>
    page.evaluate(() => {
      const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState === 'connected').at(-1);
      return { local: pc?.localDescription?.sdp ?? '', remote: pc?.remoteDescription?.sdp ?? '' };
    });
  return Promise.all([read(call.sender), read(call.receiver)]);
}

describe.skipIf(!probe.ok || noPython)('speech at 10 % loss on the uplink', () => {
  let calls: LabCalls | undefined;

  it.beforeAll(async ({ browser }) => {
    calls = await startLabCalls(browser);
  }, 60_000);

  it.afterAll(async () => {
    await calls?.close();
  });

  it(`Parley negotiates RED and Opus FEC and conceals under ${CONCEALED_PCT} % of what Bob hears; each side is told whose connection loses packets`, async () => {
    if (!calls) throw new Error('no lab');
    const bare = await atLoss(calls, await bareCall(calls, false));

    const call = await parleyCall(calls, false);
    const [alice, bob] = await descriptions(call);
    // Alice called: her local description is the offer, Bob's the answer.
    expect(audioProtectionIn(alice.local), "Parley's offer").toEqual({ red: true, fec: true, dtx: false });
    expect(audioProtectionIn(bob.local), "Parley's answer").toEqual({ red: true, fec: true, dtx: false });
    const parley = await atLoss(calls, call, async () => {
      // Each side is told whose network loses the packets: Bob receives Alice's lossy uplink, Alice hears it from Bob's reports.
      const { alice, bob } = calls!;
      await expect.poll(() => bob.page.locator('.stage-header .network').textContent(), poll).toBe("Alice's connection is losing packets");
      await expect.poll(() => alice.page.locator('.stage-header .network').textContent(), poll).toBe('Your connection is losing packets');
      await checkScreen('speech-quality-loss', { alice: alice.page, bob: bob.page });
    });

    const line = (r: SpeechReading) => `concealed ${r.concealedPct} %, intact ${r.intactPct} % (packets lost ${r.packetLossPct} %, ${r.audioKbps} kbit/s)`;
    console.info(`speech-quality at 10 % loss: Parley ${line(parley)}; bare pair ${line(bare)}`);
    expect(bare.packetLossPct, 'the bare pair saw the loss').toBeGreaterThan(5);
    expect(parley.packetLossPct, 'Parley saw the loss').toBeGreaterThan(5);
    expect(parley.concealedPct, "Parley's concealed samples").toBeLessThan(CONCEALED_PCT);
    // Past 2 % of reported loss each of Alice's packets carries three earlier frames (audio-redundancy.ts): about
    // 136 kbit/s of payload against the bare pair's 34 (one earlier frame would be about 68).
    expect(parley.audioKbps, "Parley's audio payload against the bare pair's").toBeGreaterThan(3 * bare.audioKbps);
  }, 120_000);
});
