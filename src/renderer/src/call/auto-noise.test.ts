/**
 * Auto noise suppression in a call (call-line.svelte.ts, against the fakes of test-support/call-fakes.ts): the
 * microphone opens with the browser's suppression, the line listens to the room through its meter, and a room that
 * stays noisy gets RNNoise: a second microphone that every connection, the meter and the line move to, and the
 * first one stopped. A quiet room, a closed microphone and the other levels never open it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../settings/settings.js';
import { setup } from '../test-support/call-fakes.js';
import { HOLD_MS, NOISY_LEVEL, WINDOW_MS } from './media/noise-floor.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A stream of one audio track, as the platform's RNNoise microphone gives it. */
function denoisedStream() {
  const track = { kind: 'audio', stop: vi.fn() } as unknown as MediaStreamTrack;
  return { track, getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream & { track: MediaStreamTrack };
}

/** Alice in a call with bob, the room at `level` on her meter, the microphone's RNNoise twin ready to open. */
async function call(level: number, noiseSuppression: Settings['noiseSuppression'] = 'auto') {
  vi.useFakeTimers();
  const fakes = setup();
  fakes.deps.settings = () => ({ ...DEFAULT_SETTINGS, noiseSuppression });
  const denoised = denoisedStream();
  const opened: Settings[] = [];
  const metered: MediaStream[] = [];
  fakes.platform.denoisedMicrophone = (settings) => {
    opened.push(settings);
    return Promise.resolve(denoised);
  };
  fakes.platform.levelMeter = (stream) => {
    metered.push(stream);
    return { level: () => level, close: () => undefined };
  };
  fakes.link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
  await fakes.calls.dial('bob');
  fakes.link.emit('call:accepted', { callId: 'c1', polite: false });
  const bob = fakes.sessions[0]!;
  bob.request.onMediaState('connected');
  return { ...fakes, bob, denoised, opened, metered };
}

const LONG_ENOUGH = WINDOW_MS + HOLD_MS + 1000;

describe('Auto noise suppression in a call', () => {
  it('a room that stays noisy: RNNoise opens once, every connection and the meter move to it, the first microphone stops', async () => {
    const c = await call(NOISY_LEVEL * 2);
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(c.opened).toEqual([]);
    await vi.advanceTimersByTimeAsync(HOLD_MS + 1000);
    expect(c.opened).toHaveLength(1);
    expect(c.bob.microphones).toEqual([c.denoised.track]);
    expect(c.calls.line.microphone).toBe(c.denoised);
    expect(c.metered.at(-1)).toBe(c.denoised);
    expect(c.stopped).toEqual([c.microphone]);
    // Once is all: a call that runs on stays on RNNoise.
    await vi.advanceTimersByTimeAsync(LONG_ENOUGH);
    expect(c.opened).toHaveLength(1);
    // The call's end stops it, as any microphone of the call.
    await c.calls.hangup();
    expect(c.stopped).toEqual([c.microphone, c.denoised]);
  });

  it('a quiet room keeps the browser suppression for the whole call', async () => {
    const c = await call(NOISY_LEVEL / 2);
    await vi.advanceTimersByTimeAsync(4 * LONG_ENOUGH);
    expect(c.opened).toEqual([]);
    expect(c.bob.microphones).toEqual([]);
  });

  it("a muted microphone says nothing of the room: only the open microphone's seconds count, and a pause does not start them again", async () => {
    const c = await call(NOISY_LEVEL * 2);
    await vi.advanceTimersByTimeAsync(6000);
    c.calls.toggleMute();
    await vi.advanceTimersByTimeAsync(2 * LONG_ENOUGH);
    expect(c.opened).toEqual([]);
    c.calls.toggleMute();
    await vi.advanceTimersByTimeAsync(WINDOW_MS + HOLD_MS - 6000 - 1000);
    expect(c.opened).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(c.opened).toHaveLength(1);
  });

  it('Strong, Standard and Off never listen for it', async () => {
    for (const level of ['strong', 'browser', 'off'] as const) {
      const c = await call(NOISY_LEVEL * 2, level);
      await vi.advanceTimersByTimeAsync(2 * LONG_ENOUGH);
      expect(c.opened).toEqual([]);
      await c.calls.hangup();
    }
  });

  it('a call that ends while RNNoise opens: the new microphone is stopped, nothing moves to it', async () => {
    const c = await call(NOISY_LEVEL * 2);
    let open: (stream: MediaStream) => void = () => undefined;
    c.platform.denoisedMicrophone = () => new Promise((resolve) => (open = resolve));
    await vi.advanceTimersByTimeAsync(LONG_ENOUGH);
    await c.calls.hangup();
    open(c.denoised);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.bob.microphones).toEqual([]);
    expect(c.stopped).toEqual([c.microphone, c.denoised]);
  });
});
