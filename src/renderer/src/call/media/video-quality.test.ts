import { describe, expect, it } from 'vitest';
import { CAMERA_LADDER, SCREEN_LADDER } from './video-ladders.js';
import {
  decide,
  GOOD_STREAK_UP,
  MAX_BACKOFF,
  PAUSE_BACKOFF,
  pausedLevel,
  setSending,
  START,
  videoSample,
  type ControllerState,
  type VideoSample,
} from './video-quality.js';

const clean: VideoSample = { loss: 0, limitation: 'none', target: null };
const at = (level: number): ControllerState => ({ ...START, level });

/** Feeds samples one after another and returns the level after each. */
function run(samples: VideoSample[], from: ControllerState = START): number[] {
  const levels: number[] = [];
  let state = from;
  for (const s of samples) {
    state = decide(state, s, CAMERA_LADDER);
    levels.push(state.level);
  }
  return levels;
}

describe('adaptive video: decide', () => {
  it('stays at the best level on a clean path', () => {
    expect(run([clean, clean, clean, clean])).toEqual([0, 0, 0, 0]);
  });

  it.each([
    ['a little loss (3 %)', { ...clean, loss: 0.03 }, 1],
    ['heavy loss (10 %): two levels at once', { ...clean, loss: 0.1 }, 2],
    ['the encoder is held back by bandwidth (no target known)', { ...clean, limitation: 'bandwidth' }, 1],
    ['the encoder is held back by the CPU', { ...clean, limitation: 'cpu' }, 1],
    ['loss below the threshold (2 %)', { ...clean, loss: 0.02 }, 0],
  ])('steps down on %s', (_, sample, level) => {
    expect(decide(START, sample, CAMERA_LADDER).level).toBe(level);
  });

  it('drops straight to the level that fits what the congestion controller gives the video', () => {
    // 333 kbit/s for a 1.2 Mbit/s cap: the 200 kbit/s level.
    const thin = { ...clean, limitation: 'bandwidth', target: 333_333 };
    expect(CAMERA_LADDER[decide(START, thin, CAMERA_LADDER).level]!.maxBitrate).toBe(200_000);
  });

  it("holds while the encoder is held only by this side's own cap ('bandwidth' with the target at the cap), and climbs", () => {
    const capped = (level: number): VideoSample => ({ ...clean, limitation: 'bandwidth', target: CAMERA_LADDER[level]!.maxBitrate });
    expect(run([capped(3), capped(3), capped(3)], at(3))).toEqual([3, 3, 2]);
    // Chromium's encoder reports 5/6 of the cap at times: still the cap, not the path.
    expect(decide(at(4), { ...clean, limitation: 'bandwidth', target: 83_333 }, CAMERA_LADDER).level).toBe(4);
  });

  it('a step up the path cannot carry is taken back, and the next waits twice as long', () => {
    // At level 2 on a path that gives 333 kbit/s: it fits, good readings climb to level 1, which the path holds to 333 kbit/s.
    const fits = { ...clean, target: 333_333 };
    let state = at(2);
    for (let i = 0; i < GOOD_STREAK_UP; i++) state = decide(state, fits, CAMERA_LADDER);
    expect(state.level).toBe(1);
    state = decide(state, fits, CAMERA_LADDER);
    expect(state).toMatchObject({ level: 3, backoff: 1 });
    const levels: number[] = [];
    const capped3 = { ...clean, target: 200_000 };
    for (let i = 0; i < GOOD_STREAK_UP * 2; i++) levels.push((state = decide(state, capped3, CAMERA_LADDER)).level);
    expect(levels).toEqual([3, 3, 3, 3, 3, 2]);
  });

  it(`waits at most ${MAX_BACKOFF} doublings, and a step down that was no probe starts the count again`, () => {
    let state: ControllerState = { ...at(1), sinceUp: 0, backoff: MAX_BACKOFF };
    state = decide(state, { ...clean, target: 100_000 }, CAMERA_LADDER);
    expect(state.backoff).toBe(MAX_BACKOFF);
    state = decide({ ...at(1), sinceUp: 10, backoff: MAX_BACKOFF }, { ...clean, loss: 0.05 }, CAMERA_LADDER);
    expect(state.backoff).toBe(0);
  });

  it('never goes below the last level unless it may pause, and a path too thin for any video stays there', () => {
    const last = CAMERA_LADDER.length - 1;
    expect(decide(at(last), { ...clean, loss: 0.5 }, CAMERA_LADDER).level).toBe(last);
    expect(decide(START, { ...clean, target: 50_000 }, CAMERA_LADDER).level).toBe(last);
  });

  it('a camera pauses past its last level when the path cannot carry even that; loss alone never pauses it', () => {
    const last = CAMERA_LADDER.length - 1;
    const paused = pausedLevel(CAMERA_LADDER);
    // 30 kbit/s given to a 100 kbit/s level (a 100 kbit/s uplink, the voice taking most of it).
    expect(decide(at(last), { ...clean, limitation: 'bandwidth', target: 30_000 }, CAMERA_LADDER, true).level).toBe(paused);
    expect(decide(at(last), { ...clean, loss: 0.5 }, CAMERA_LADDER, true).level).toBe(last);
    // Not from a higher level in one reading: the last level is tried first.
    expect(decide(START, { ...clean, target: 30_000 }, CAMERA_LADDER, true).level).toBe(last);
    // A shared screen is never paused.
    expect(decide(at(SCREEN_LADDER.length - 1), { ...clean, target: 30_000 }, SCREEN_LADDER).level).toBe(SCREEN_LADDER.length - 1);
  });

  it("a paused camera resumes after good readings of the audio's loss, and waits twice as long when the path still cannot carry it", () => {
    const last = CAMERA_LADDER.length - 1;
    const paused = pausedLevel(CAMERA_LADDER);
    // Paused, the sender's own figures (no target, nothing sent) are not read: only the loss.
    const quiet: VideoSample = { loss: 0, limitation: 'none', target: 0 };
    let state: ControllerState = { ...at(paused), sinceUp: Infinity };
    const wait = (backoff: number) => GOOD_STREAK_UP * 2 ** Math.min(MAX_BACKOFF, backoff + PAUSE_BACKOFF);
    const levels: number[] = [];
    for (let i = 0; i < wait(0); i++) levels.push((state = decide(state, quiet, CAMERA_LADDER, true)).level);
    expect(levels.at(-2)).toBe(paused);
    expect(levels.at(-1)).toBe(last);
    // Still too thin: paused again at once, and the next try waits twice as long.
    state = decide(state, { ...clean, target: 30_000 }, CAMERA_LADDER, true);
    expect(state).toMatchObject({ level: paused, backoff: 1 });
    levels.length = 0;
    for (let i = 0; i < wait(1); i++) levels.push((state = decide(state, quiet, CAMERA_LADDER, true)).level);
    expect(levels.at(-2)).toBe(paused);
    expect(levels.at(-1)).toBe(last);
    // Loss while paused: the count of good readings starts again.
    state = { ...at(paused), goodStreak: GOOD_STREAK_UP - 1 };
    expect(decide(state, { ...quiet, loss: 0.05 }, CAMERA_LADDER, true)).toMatchObject({ level: paused, goodStreak: 0 });
  });

  it(`steps back up one level after ${GOOD_STREAK_UP} good readings in a row, not before`, () => {
    const good = Array.from({ length: GOOD_STREAK_UP * 2 }, () => clean);
    expect(run(good, at(3))).toEqual([3, 3, 2, 2, 2, 1]);
  });

  it('a bad reading restarts the count of good ones', () => {
    const lossy = { ...clean, loss: 0.02 }; // not bad enough to step down, not good enough to count
    expect(run([clean, clean, lossy, clean, clean, clean], at(2))).toEqual([2, 2, 2, 2, 2, 1]);
  });

  it('climbs on a clean path with no bandwidth estimate yet, and holds while the peer has not reported', () => {
    const unknown: VideoSample = { loss: null, limitation: null, target: null };
    expect(run([unknown, unknown, unknown], at(1))).toEqual([1, 1, 0]);
  });

  it('a shared screen keeps its resolution while it steps down (frames go first)', () => {
    const down = decide(START, { ...clean, loss: 0.1 }, SCREEN_LADDER);
    expect(SCREEN_LADDER[down.level]!.scaleResolutionDownBy).toBe(1);
    expect(SCREEN_LADDER[down.level]!.maxFramerate).toBeLessThan(SCREEN_LADDER[0]!.maxFramerate!);
  });

  it('every ladder costs less at each step down', () => {
    for (const ladder of [CAMERA_LADDER, SCREEN_LADDER]) {
      for (let i = 1; i < ladder.length; i++) expect(ladder[i]!.maxBitrate).toBeLessThan(ladder[i - 1]!.maxBitrate);
    }
  });
});

describe('adaptive video: videoSample', () => {
  it('reads the loss the peer reports, the limitation, and the target (not the candidate pair\'s stale estimate)', () => {
    const video = [
      { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth', targetBitrate: 333_333 },
      { type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.04 },
      { type: 'candidate-pair', availableOutgoingBitrate: 2_419_500 },
    ];
    expect(videoSample(video)).toEqual({ loss: 0.04, limitation: 'bandwidth', target: 333_333 });
  });

  it("takes the audio's loss when it is worse: the path is shared", () => {
    const video = [{ type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.01 }];
    const audio = [{ type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.12 }];
    expect(videoSample(video, audio).loss).toBe(0.12);
  });

  it('knows nothing before the first reports', () => {
    expect(videoSample([{ type: 'outbound-rtp', kind: 'video' }])).toEqual({ loss: null, limitation: null, target: null });
  });
});

describe('adaptive video: setSending', () => {
  /** A sender's parameters as Chromium keeps them: one encoding, read and written whole. */
  function fakeSender() {
    let encoding = { active: true };
    const writes: boolean[] = [];
    const sender = {
      getParameters: () => ({ encodings: [{ ...encoding }] }),
      setParameters: (p: { encodings: { active: boolean }[] }) => {
        encoding = { ...p.encodings[0]! };
        writes.push(encoding.active);
        return Promise.resolve();
      },
    };
    return { sender: sender as unknown as RTCRtpSender, active: () => encoding.active, writes };
  }

  it('sends only while neither the call (hold) nor the path (a paused camera) holds it off', async () => {
    const { sender, active } = fakeSender();
    await setSending(sender, false, 'path');
    await setSending(sender, false, 'call');
    await setSending(sender, true, 'call'); // off hold, the path still holds it
    expect(active()).toBe(false);
    await setSending(sender, true, 'path');
    expect(active()).toBe(true);
  });

  it('writes nothing when the encoding is already as asked', async () => {
    const { sender, writes } = fakeSender();
    await setSending(sender, true);
    await setSending(sender, false);
    await setSending(sender, false);
    expect(writes).toEqual([false]);
  });
});
