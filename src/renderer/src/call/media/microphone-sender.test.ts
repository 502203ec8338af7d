import { describe, expect, it } from 'vitest';
import { FEED_REGIVES, feed, MicrophoneSender } from './microphone-sender.js';

/**
 * A sender as the page sees it: the tracks it was given (null: taken off),
 * and a media source whose count grows by `rate` seconds at each wait while
 * `feeding` (the test turns it on, as Chromium does once the track is given again).
 */
class FakeSender {
  given: (MediaStreamTrack | null)[] = [];
  seconds = 0;
  rate = 0.5;
  feeding = true;
  /** Whether giving the track again starts the feed. */
  regiveFeeds = true;
  track: MediaStreamTrack | null = null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    if (track && this.track === null && this.given.length > 1 && this.regiveFeeds) this.feeding = true;
    this.given.push(track);
    this.track = track;
    return Promise.resolve();
  }
  getStats(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map([['s', { type: 'media-source', kind: 'audio', totalSamplesDuration: this.seconds }]]));
  }
  tick(): void {
    if (this.feeding && this.track) this.seconds += this.rate;
  }
}

const track = { kind: 'audio' } as MediaStreamTrack;
const asSender = (s: FakeSender) => s as unknown as RTCRtpSender;

describe('feed', () => {
  const wait = (s: FakeSender) => () => Promise.resolve(s.tick());

  it('gives the track once when the sender counts samples from it', async () => {
    const s = new FakeSender();
    expect(await feed(asSender(s), track, { give: true, still: () => true, wait: wait(s) })).toBe(0);
    expect(s.given).toEqual([track]);
  });

  it('gives the track again, once, to a sender fed nothing, and stops once it is fed', async () => {
    const s = new FakeSender();
    s.given = [null]; // held off it before, as a call is while it rings
    s.feeding = false;
    expect(await feed(asSender(s), track, { give: true, still: () => true, wait: wait(s) })).toBe(1);
    expect(s.given).toEqual([null, track, null, track]);
  });

  it('after a negotiation only checks: a fed sender is left alone, an unfed one gets its track again', async () => {
    const fedOne = new FakeSender();
    fedOne.track = track;
    expect(await feed(asSender(fedOne), track, { give: false, still: () => true, wait: wait(fedOne) })).toBe(0);
    expect(fedOne.given).toEqual([]);

    const unfed = new FakeSender();
    unfed.track = track;
    unfed.given = [track];
    unfed.feeding = false;
    expect(await feed(asSender(unfed), track, { give: false, still: () => true, wait: wait(unfed) })).toBe(1);
    expect(unfed.given).toEqual([track, null, track]);
  });

  it('a count started again by a negotiation is not taken for a sender fed nothing', async () => {
    const s = new FakeSender();
    s.track = track;
    s.seconds = 40;
    let waits = 0;
    const restartOnce = () => {
      if (waits++ === 0) s.seconds = 0.1; // the first interval saw the count start again, lower than before
      else s.tick();
      return Promise.resolve();
    };
    expect(await feed(asSender(s), track, { give: false, still: () => true, wait: restartOnce })).toBe(0);
    expect(s.given).toEqual([]);
  });

  it(`gives up after ${FEED_REGIVES} more gives, and stops as soon as the track is no longer meant to be sent`, async () => {
    const s = new FakeSender();
    s.feeding = false;
    s.regiveFeeds = false;
    expect(await feed(asSender(s), track, { give: true, still: () => true, wait: wait(s) })).toBe(FEED_REGIVES);
    expect(s.given.filter((t) => t === track)).toHaveLength(1 + FEED_REGIVES);

    const stopped = new FakeSender();
    stopped.feeding = false;
    let still = true;
    const waitThenStop = () => {
      still = false;
      return Promise.resolve();
    };
    expect(await feed(asSender(stopped), track, { give: true, still: () => still, wait: waitThenStop })).toBe(0);
    expect(stopped.given).toEqual([track]);
  });
});

describe('MicrophoneSender', () => {
  it('takes the track off and gives it back once per change; a negotiation checks only while it is on; nothing after close', async () => {
    const s = new FakeSender();
    let disposed = 0;
    const mic = new MicrophoneSender(asSender(s), track, { read: () => undefined, thinPath: () => undefined, dispose: () => (disposed += 1) });
    mic.send(true); // already on
    expect(s.given).toEqual([]);
    mic.send(false);
    mic.send(false);
    expect(s.given).toEqual([null]);
    mic.negotiated(); // off: nothing to check
    mic.send(true);
    await Promise.resolve();
    expect(s.given).toEqual([null, track]);
    mic.close();
    mic.send(false);
    mic.negotiated();
    expect(s.given).toEqual([null, track]);
    expect(disposed).toBe(1);
  });

  it('a replaced track (Auto noise suppression): given at once while on, while off at the next send(true)', async () => {
    const s = new FakeSender();
    const denoised = { kind: 'audio' } as MediaStreamTrack;
    const mic = new MicrophoneSender(asSender(s), track, null);
    mic.replace(denoised);
    await Promise.resolve();
    expect(s.given).toEqual([denoised]);
    mic.send(false);
    const again = { kind: 'audio' } as MediaStreamTrack;
    mic.replace(again);
    await Promise.resolve();
    expect(s.given).toEqual([denoised, null]);
    mic.send(true);
    await Promise.resolve();
    expect(s.given).toEqual([denoised, null, again]);
    mic.close();
  });
});
