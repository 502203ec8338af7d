/**
 * Speech on a lossy uplink (issue 39), once, in the lab (netns.ts): Alice's
 * uplink loses 10 % of her audio's packets, three in a row (net-conditions.ts
 * `runs10`). Parley's offer and answer carry the protection chosen
 * (call/media/audio-protection.ts: RED, and Opus in-band FEC). Once Bob's
 * reports of the loss reach Alice, her packets carry three earlier frames
 * (audio-redundancy.ts): Bob's hearing is read from then on, and her audio
 * payload is more than three times the bare pair's. Each side is told, in
 * words, whose connection loses the packets, and the call is shot in the
 * six looks.
 *
 * A bare pair of RTCPeerConnections (Chromium's defaults) between the same
 * two browsers is read on the same loss: issue 39's 2 % at 10 % loss is the
 * bound Bob's concealed samples from Alice stay under and the bare pair's
 * exceed. Losses in runs make that bound hold on every run: one earlier
 * frame (the bare pair's Opus FEC) rebuilds only the last packet of a run,
 * three rebuild all three. Ten runs, half beside a busy core: Parley 0 %
 * in each, the bare pair 6 to 6.9 %. At 10 % random loss most losses are
 * single, which FEC rebuilds too, and over a few seconds the two crossed
 * (the bare pair 0 to 1.26 %, Parley 0 to 0.47 %); bench:quality compares
 * them there, over longer windows. Checks only: each reading waits for so
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

/** Concealed samples, percent of those received, at 10 % loss: issue 39's target for Parley, which the bare pair's exceed. */
const CONCEALED_PCT = 2;
const LOSS = CONDITIONS.runs10;
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

/** Payload bytes a packet of Alice's audio from which it carries three earlier frames: about 340 against 170 with one. */
const DEEP_PACKET_BYTES = 250;

/** The payload bytes per packet of the page's audio sender over half a second. */
function audioPacketBytes(page: OpenCall['sender']): Promise<number> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState === 'connected').at(-1);
    const read = async () => {
      const stats = [...((await pc?.getStats())?.values() ?? [])] as { type: string; kind?: string; bytesSent?: number; packetsSent?: number }[];
      const out = stats.find((r) => r.type === 'outbound-rtp' && r.kind === 'audio');
      return { bytes: out?.bytesSent ?? 0, packets: out?.packetsSent ?? 0 };
    };
    const a = await read();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const b = await read();
    return b.packets > a.packets ? (b.bytes - a.bytes) / (b.packets - a.packets) : 0;
  });
}

/**
 * What Bob hears at 10 % loss in runs of three on Alice's uplink; `ready` runs before the reading (the loss on), `meanwhile` after it
 * with the loss still on.
 */
async function atLoss(calls: LabCalls, call: OpenCall, steps: { ready?: () => Promise<void>; meanwhile?: () => Promise<void> } = {}): Promise<SpeechReading> {
  await calls.lab.shape(calls.lab.side('a'), LOSS);
  try {
    await receivedMore(call.receiver, SETTLE_S);
    await steps.ready?.();
    let reading = await readSpeech(call.sender, call.receiver, READ_S);
    for (let i = 1; i < WINDOWS && reading.packetLossPct > LOSS.lossPct + LAB_SLACK_POINTS; i++) {
      console.info(`speech-quality: a window lost ${reading.packetLossPct} % of its packets, past the condition's: read again`);
      reading = await readSpeech(call.sender, call.receiver, READ_S);
    }
    await steps.meanwhile?.();
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

describe.skipIf(!probe.ok || noPython)('speech at 10 % loss in runs of three on the uplink', () => {
  let calls: LabCalls | undefined;

  it.beforeAll(async ({ browser }) => {
    calls = await startLabCalls(browser);
  }, 60_000);

  it.afterAll(async () => {
    await calls?.close();
  });

  it(`Parley negotiates RED and Opus FEC and conceals under ${CONCEALED_PCT} % of what Bob hears, where the bare pair conceals more; each side is told whose connection loses packets`, async () => {
    if (!calls) throw new Error('no lab');
    const bare = await atLoss(calls, await bareCall(calls, false));

    const call = await parleyCall(calls, false);
    const [alice, bob] = await descriptions(call);
    // Alice called: her local description is the offer, Bob's the answer.
    expect(audioProtectionIn(alice.local), "Parley's offer").toEqual({ red: true, fec: true, dtx: false });
    expect(audioProtectionIn(bob.local), "Parley's answer").toEqual({ red: true, fec: true, dtx: false });
    const parley = await atLoss(calls, call, {
      // Bob's reports of the loss reach Alice (RTCP, then her call line's reading): her packets then carry three
      // earlier frames (audio-redundancy.ts), and what Bob hears is read from then on.
      ready: () => expect.poll(() => audioPacketBytes(call.sender), { timeout: 30_000 }).toBeGreaterThan(DEEP_PACKET_BYTES),
      meanwhile: async () => {
        // Each side is told whose network loses the packets: Bob receives Alice's lossy uplink, Alice hears it from Bob's reports.
        const { alice, bob } = calls!;
        await expect.poll(() => bob.page.locator('.stage-header .network').textContent(), poll).toBe("Alice's connection is losing packets");
        await expect.poll(() => alice.page.locator('.stage-header .network').textContent(), poll).toBe('Your connection is losing packets');
        await checkScreen('speech-quality-loss', { alice: alice.page, bob: bob.page });
      },
    });

    const line = (r: SpeechReading) => `concealed ${r.concealedPct} %, intact ${r.intactPct} % (packets lost ${r.packetLossPct} %, ${r.audioKbps} kbit/s)`;
    console.info(`speech-quality at 10 % loss in runs of three: Parley ${line(parley)}; bare pair ${line(bare)}`);
    expect(bare.packetLossPct, 'the bare pair saw the loss').toBeGreaterThan(5);
    expect(parley.packetLossPct, 'Parley saw the loss').toBeGreaterThan(5);
    expect(parley.concealedPct, "Parley's concealed samples").toBeLessThan(CONCEALED_PCT);
    expect(bare.concealedPct, "the bare pair's concealed samples, over the same bound").toBeGreaterThan(CONCEALED_PCT);
    // Past 2 % of reported loss each of Alice's packets carries three earlier frames (audio-redundancy.ts): about
    // 136 kbit/s of payload against the bare pair's 34 (one earlier frame would be about 68).
    expect(parley.audioKbps, "Parley's audio payload against the bare pair's").toBeGreaterThan(3 * bare.audioKbps);
  }, 120_000);
});
