/**
 * The media timeout (media-timeout.ts): its policy on its own, then a call
 * of two against the fakes of test-support/call-fakes.ts, its statistics
 * read on the quality timer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup, user } from '../test-support/call-fakes.js';
import { AudioWatch, MEDIA_TIMEOUT_MS, SAMPLE_GAP_MS, STATS_INTERVAL_MS } from './media-timeout.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Feeds `watch` one sample every STATS_INTERVAL_MS from `from` for `ms`; whether any said timed out. */
function feed(watch: AudioWatch, from: number, ms: number, packets: (at: number) => number | null): boolean {
  let out = false;
  for (let at = from; at <= from + ms; at += STATS_INTERVAL_MS) out = watch.sample(at, packets(at)) || out;
  return out;
}

describe('media timeout policy', () => {
  it('a count that stays put for MEDIA_TIMEOUT_MS times out, not a sample sooner', () => {
    const watch = new AudioWatch();
    expect(watch.sample(0, 500)).toBe(false);
    expect(feed(watch, STATS_INTERVAL_MS, MEDIA_TIMEOUT_MS - 2 * STATS_INTERVAL_MS, () => 500)).toBe(false);
    expect(watch.sample(MEDIA_TIMEOUT_MS, 500)).toBe(true);
  });

  it('packets that keep coming (a muted peer sends silence frames all the same) never time out', () => {
    expect(feed(new AudioWatch(), 0, 10 * MEDIA_TIMEOUT_MS, (at) => at / 20)).toBe(false);
  });

  it('nothing is due while the path is down or no audio track came: the count starts again after', () => {
    const watch = new AudioWatch();
    feed(watch, 0, MEDIA_TIMEOUT_MS - STATS_INTERVAL_MS, () => 7);
    expect(watch.sample(MEDIA_TIMEOUT_MS, null)).toBe(false);
    expect(feed(watch, MEDIA_TIMEOUT_MS + STATS_INTERVAL_MS, MEDIA_TIMEOUT_MS - STATS_INTERVAL_MS, () => 7)).toBe(false);
    expect(watch.sample(2 * MEDIA_TIMEOUT_MS + STATS_INTERVAL_MS, 7)).toBe(true);
  });

  it('samples far apart (the machine slept) say nothing of the path: the count starts again', () => {
    const watch = new AudioWatch();
    watch.sample(0, 9);
    expect(watch.sample(SAMPLE_GAP_MS + 1, 9)).toBe(false);
    expect(watch.sample(SAMPLE_GAP_MS + 1 + 60_000, 9)).toBe(false);
  });
});

describe('media timeout in a call', () => {
  const stream = {} as MediaStream;
  const inbound = (packetsReceived: number) => [{ type: 'inbound-rtp', kind: 'audio', packetsReceived, packetsLost: 0, jitter: 0.001 }];

  /** A call of two, answered, its path connected and bob's audio track come. */
  async function connectedCall() {
    vi.useFakeTimers();
    const fakes = setup();
    fakes.link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await fakes.calls.dial('bob');
    fakes.link.emit('call:accepted', { callId: 'c1', polite: false });
    const session = fakes.sessions[0]!;
    session.request.onMediaState('connected');
    session.request.onRemoteStream(stream);
    return { ...fakes, session };
  }

  it('a connected path with no audio arriving ends the call as failed, media-lost, said as audio that stopped', async () => {
    const { link, calls, session, notices } = await connectedCall();
    session.stats = inbound(120);
    await vi.advanceTimersByTimeAsync(MEDIA_TIMEOUT_MS);
    expect(calls.phase.kind).toBe('active');
    await vi.advanceTimersByTimeAsync(2 * STATS_INTERVAL_MS);
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'failed', local: false });
    expect(link.last('call:hangup')).toEqual({ callId: 'c1', reason: 'failed', cause: 'media-lost' });
    expect(notices.notice).toBe('The audio between you and Bob stopped and did not come back.');
  });

  it('no statistics at all (no packet ever came) is no audio too', async () => {
    const { calls } = await connectedCall();
    await vi.advanceTimersByTimeAsync(MEDIA_TIMEOUT_MS + 2 * STATS_INTERVAL_MS);
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'failed' });
  });

  it('a connection whose peer sends no audio track is not watched (nothing is due from it)', async () => {
    vi.useFakeTimers();
    const { link, calls, sessions } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    await vi.advanceTimersByTimeAsync(2 * MEDIA_TIMEOUT_MS);
    expect(calls.phase.kind).toBe('active');
    void calls.hangup();
  });

  it('audio that keeps arriving, a path that is down (the path limit is its own) and a group call are left alone', async () => {
    const { calls, session, link } = await connectedCall();
    let packets = 0;
    const flowing = setInterval(() => (session.stats = inbound((packets += 100))), 1000);
    await vi.advanceTimersByTimeAsync(3 * MEDIA_TIMEOUT_MS);
    expect(calls.phase.kind).toBe('active');
    clearInterval(flowing);
    // The path goes down: the reconnect limit, not the media timeout, decides.
    session.request.onMediaState('interrupted');
    await vi.advanceTimersByTimeAsync(MEDIA_TIMEOUT_MS - STATS_INTERVAL_MS);
    session.request.onMediaState('connected');
    expect(calls.phase.kind).toBe('active');
    // A third person makes it a group: one silent path is that person's, not the call's.
    link.emit('room:joined', { callId: 'c1', user: user('carol'), polite: false });
    await vi.advanceTimersByTimeAsync(2 * MEDIA_TIMEOUT_MS);
    expect(calls.phase.kind).toBe('active');
    expect(link.events()).not.toContain('call:hangup');
    void calls.hangup();
  });
});
