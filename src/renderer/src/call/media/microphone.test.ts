import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../settings/settings.js';
import { Microphones, STRONG_SUPPRESSION_UNAVAILABLE, type Denoiser } from './microphone.js';

/** A stream whose tracks only remember being stopped. */
function fakeStream(name: string) {
  const track = { name, stopped: false, stop: () => (track.stopped = true) };
  return { name, track, getTracks: () => [track] } as unknown as MediaStream & { track: { stopped: boolean } };
}

function setup(startDenoiser: () => Promise<Denoiser>) {
  const opened: { constraints: MediaTrackConstraints; stream: ReturnType<typeof fakeStream> }[] = [];
  const notices: string[] = [];
  const graphMeter = { level: () => 0.1, close: vi.fn() };
  const plainMeter = { level: () => 0.5, close: vi.fn() };
  const microphones = new Microphones({
    getUserMedia: (constraints) => {
      const stream = fakeStream(`device ${opened.length + 1}`);
      opened.push({ constraints: constraints.audio as MediaTrackConstraints, stream });
      return Promise.resolve(stream);
    },
    startDenoiser,
    levelMeter: () => plainMeter,
  });
  const open = (noiseSuppression: Settings['noiseSuppression']) => microphones.open({ ...DEFAULT_SETTINGS, noiseSuppression }, (t) => notices.push(t));
  return { opened, notices, graphMeter, plainMeter, open, microphones };
}

describe('opening the microphone with its noise suppression', () => {
  it('Strong: the raw device goes through RNNoise, whose output is sent and metered; closed, it rests; stopping stops both', async () => {
    const closed = vi.fn();
    const rest = vi.fn();
    const output = fakeStream('denoised');
    const attached: MediaStream[] = [];
    const t = setup(() =>
      Promise.resolve({
        attach: (raw) => {
          attached.push(raw);
          return { stream: output, meter: () => t.graphMeter, rest, close: closed };
        },
        close: () => undefined,
      }),
    );
    const mic = await t.open('strong');
    expect(t.opened).toHaveLength(1);
    expect(attached).toEqual([t.opened[0]!.stream]);
    expect(t.opened[0]!.constraints).toMatchObject({ noiseSuppression: false, echoCancellation: true, autoGainControl: true });
    expect(mic.suppressor).toBe('rnnoise');
    expect(mic.stream).toBe(output);
    expect(mic.meter()).toBe(t.graphMeter);
    mic.rest(true);
    mic.rest(false);
    expect(rest.mock.calls).toEqual([[true], [false]]);
    mic.stop();
    expect(closed).toHaveBeenCalledOnce();
    expect(t.opened[0]!.stream.track.stopped).toBe(true);
    expect(t.notices).toEqual([]);
  });

  it("Strong where RNNoise cannot run: the device opens again with the browser's suppression, and the user is told once", async () => {
    const denoise = vi.fn(() => Promise.reject(new Error('no AudioWorklet')));
    const t = setup(denoise);
    const first = await t.open('strong');
    expect(first.suppressor).toBe('browser');
    expect(t.opened.map((o) => o.constraints.noiseSuppression)).toEqual([false, true]);
    // The first device, opened for RNNoise, is not left open.
    expect(t.opened[0]!.stream.track.stopped).toBe(true);
    expect(first.stream).toBe(t.opened[1]!.stream);
    expect(first.meter()).toBe(t.plainMeter);
    expect(t.notices).toEqual([STRONG_SUPPRESSION_UNAVAILABLE]);

    // The next call tries again (the cause may be gone) but says nothing new.
    const second = await t.open('strong');
    expect(denoise).toHaveBeenCalledTimes(2);
    expect(second.suppressor).toBe('browser');
    expect(t.notices).toHaveLength(1);
    second.stop();
    expect(t.opened[3]!.stream.track.stopped).toBe(true);
  });

  it('Auto, Standard and Off never load RNNoise as they open: the browser suppresses, or nothing does', async () => {
    const denoise = vi.fn(() => Promise.reject(new Error('not called')));
    const t = setup(denoise);
    const auto = await t.open('auto');
    const standard = await t.open('browser');
    const off = await t.open('off');
    expect(denoise).not.toHaveBeenCalled();
    expect([auto.suppressor, standard.suppressor, off.suppressor]).toEqual(['browser', 'browser', 'none']);
    expect(t.opened.map((o) => o.constraints.noiseSuppression)).toEqual([true, true, false]);
    off.stop();
    expect(t.opened[2]!.stream.track.stopped).toBe(true);
    expect(t.notices).toEqual([]);
  });

  it("Auto's second step in a noisy room: a raw capture through RNNoise, or null, silently, where RNNoise cannot run", async () => {
    const output = fakeStream('denoised');
    const closed = vi.fn();
    const works = setup(() => Promise.resolve({ attach: () => ({ stream: output, meter: () => works.graphMeter, rest: () => undefined, close: closed }), close: () => undefined }));
    const mic = await works.microphones.denoised({ ...DEFAULT_SETTINGS, noiseSuppression: 'auto' }, true);
    expect([mic?.suppressor, mic?.stream]).toEqual(['rnnoise', output]);
    // Raw, exactly: beside the capture with the browser's suppression, a mere `false` gets that one again.
    expect(works.opened.map((o) => o.constraints.noiseSuppression)).toEqual([{ exact: false }]);
    mic?.stop();
    expect(closed).toHaveBeenCalledOnce();
    expect(works.opened[0]!.stream.track.stopped).toBe(true);

    const fails = setup(() => Promise.reject(new Error('no AudioWorklet')));
    expect(await fails.microphones.denoised({ ...DEFAULT_SETTINGS, noiseSuppression: 'auto' }, true)).toBeNull();
    expect(fails.opened[0]!.stream.track.stopped).toBe(true);
    expect(fails.notices).toEqual([]);
  });

  it('a microphone that cannot open rejects as before, and the RNNoise started meanwhile is closed', async () => {
    const close = vi.fn();
    const microphones = new Microphones({
      getUserMedia: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
      startDenoiser: () => Promise.resolve({ attach: () => expect.fail('nothing to attach'), close }),
      levelMeter: () => ({ level: () => 0, close: () => undefined }),
    });
    await expect(microphones.open({ ...DEFAULT_SETTINGS, noiseSuppression: 'strong' }, () => undefined)).rejects.toThrow('denied');
    await vi.waitFor(() => expect(close).toHaveBeenCalledOnce());
  });
});
