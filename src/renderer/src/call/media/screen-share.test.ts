import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia } from './call-media.svelte.js';
import { ScreenShare } from './screen-share.svelte.js';

/** A browser screen share (no desktop picker), getDisplayMedia answering as told. */
function share(answer: () => Promise<unknown>) {
  const track = { kind: 'video', addEventListener: () => undefined, stop: () => undefined };
  const stream = { getVideoTracks: () => [track], getTracks: () => [track] };
  vi.stubGlobal('navigator', { mediaDevices: { getDisplayMedia: () => answer().then(() => stream) } });
  const deps = { cameraConstraints: () => ({}), notice: () => undefined, withdraw: () => undefined };
  const media = new CallMedia(deps);
  return new ScreenShare(media, undefined, () => undefined);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a screen share stopped by a reload', () => {
  it('is said until this side shares again', async () => {
    const s = share(() => Promise.resolve());
    s.stoppedOnReload();
    expect(s.stoppedByReload).toBe(true);
    await s.start();
    expect([s.sharing, s.stoppedByReload]).toEqual([true, false]);
  });

  it('stays said when the person closes the browser\'s prompt (they may try again), and goes when dismissed or the call ends', async () => {
    const s = share(() => Promise.reject(new DOMException('closed', 'NotAllowedError')));
    s.stoppedOnReload();
    await s.start();
    expect([s.sharing, s.stoppedByReload]).toEqual([false, true]);
    s.dismissStopped();
    expect(s.stoppedByReload).toBe(false);
    s.stoppedOnReload();
    s.reset();
    expect(s.stoppedByReload).toBe(false);
  });
});
