import { describe, expect, it } from 'vitest';
import {
  AUDIO_RESERVE_BPS,
  CAMERA_LADDER,
  decide,
  GOOD_STREAK_UP,
  SCREEN_LADDER,
  START,
  videoSample,
  type ControllerState,
  type VideoSample,
} from './video-quality.js';

const clean: VideoSample = { loss: 0, limitation: 'none', availableBitrate: 5_000_000 };
const at = (level: number): ControllerState => ({ level, goodStreak: 0 });

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
    ['the encoder is held back by bandwidth', { ...clean, limitation: 'bandwidth' }, 1],
    ['the encoder is held back by the CPU', { ...clean, limitation: 'cpu' }, 1],
    ['loss below the threshold (2 %)', { ...clean, loss: 0.02 }, 0],
  ])('steps down on %s', (_, sample, level) => {
    expect(decide(START, sample, CAMERA_LADDER).level).toBe(level);
  });

  it('drops straight to the level that leaves audio its share of a thin path', () => {
    // 300 kbit/s: minus the audio reserve, 236 kbit/s for video: the 200 kbit/s level.
    const thin = { ...clean, availableBitrate: 300_000 };
    const level = decide(START, thin, CAMERA_LADDER).level;
    expect(CAMERA_LADDER[level]!.maxBitrate).toBeLessThanOrEqual(300_000 - AUDIO_RESERVE_BPS);
    expect(CAMERA_LADDER[level - 1]!.maxBitrate).toBeGreaterThan(300_000 - AUDIO_RESERVE_BPS);
  });

  it('never goes below the last level, and a path too thin for any video stays there', () => {
    const last = CAMERA_LADDER.length - 1;
    expect(decide(at(last), { ...clean, loss: 0.5 }, CAMERA_LADDER).level).toBe(last);
    expect(decide(START, { ...clean, availableBitrate: 50_000 }, CAMERA_LADDER).level).toBe(last);
  });

  it(`steps back up one level after ${GOOD_STREAK_UP} good readings in a row, not before`, () => {
    const good = Array.from({ length: GOOD_STREAK_UP * 2 }, () => clean);
    expect(run(good, at(3))).toEqual([3, 3, 2, 2, 2, 1]);
  });

  it('a bad reading restarts the count of good ones', () => {
    const lossy = { ...clean, loss: 0.02 }; // not bad enough to step down, not good enough to count
    expect(run([clean, clean, lossy, clean, clean, clean], at(2))).toEqual([2, 2, 2, 2, 2, 1]);
  });

  it('does not step up without headroom over the next level', () => {
    // At level 2 (400 kbit/s); level 1 wants 700 kbit/s × 1.25 plus the audio reserve.
    const snug = { ...clean, availableBitrate: 700_000 };
    expect(run([snug, snug, snug, snug], at(2))).toEqual([2, 2, 2, 2]);
    const roomy = { ...clean, availableBitrate: 700_000 * 1.25 + AUDIO_RESERVE_BPS };
    expect(run([roomy, roomy, roomy], at(2))).toEqual([2, 2, 1]);
  });

  it('climbs on a clean path with no bandwidth estimate yet, and holds while the peer has not reported', () => {
    const unknown: VideoSample = { loss: null, limitation: null, availableBitrate: null };
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
  it('reads the loss the peer reports, the limitation, and the path estimate', () => {
    const video = [
      { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth' },
      { type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.04 },
      { type: 'candidate-pair', state: 'succeeded', nominated: true, availableOutgoingBitrate: 420_000 },
      { type: 'candidate-pair', state: 'failed', nominated: false, availableOutgoingBitrate: 1 },
    ];
    expect(videoSample(video)).toEqual({ loss: 0.04, limitation: 'bandwidth', availableBitrate: 420_000 });
  });

  it("takes the audio's loss when it is worse: the path is shared", () => {
    const video = [{ type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.01 }];
    const audio = [{ type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.12 }];
    expect(videoSample(video, audio).loss).toBe(0.12);
  });

  it('knows nothing before the first reports', () => {
    expect(videoSample([{ type: 'outbound-rtp', kind: 'video' }])).toEqual({ loss: null, limitation: null, availableBitrate: null });
  });
});
