/** "‹name› cannot receive video" lives as long as its cause: video sent that the peer refused. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, videoRefused, type VideoPeer } from './call-media.svelte.js';

/** A peer link that refuses video when told to. */
function refusingPeer() {
  let refuse: () => void = () => undefined;
  const link: VideoPeer = {
    subscribe: () => () => undefined,
    onRefused: (fn) => {
      refuse = fn;
      return () => undefined;
    },
    setTrack: () => Promise.resolve(),
  };
  return { link, refuse: () => refuse() };
}

function camera() {
  const track = { kind: 'video', addEventListener: () => undefined, stop: () => undefined };
  const stream = { getVideoTracks: () => [track], getTracks: () => [track] };
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: () => Promise.resolve(stream) } });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the video refusal notice', () => {
  it('is withdrawn once this side sends no video: camera off and no screen shared', async () => {
    camera();
    const shown: string[] = [];
    const withdraw = (text: string) => {
      const at = shown.indexOf(text);
      if (at >= 0) shown.splice(at, 1);
    };
    const media = new CallMedia({ cameraConstraints: () => ({}), notice: (text) => shown.push(text), withdraw });
    const carol = refusingPeer();
    media.attach(carol.link, 'carol', 'Carol');
    await media.setCamera(true);
    carol.refuse();
    expect(shown).toEqual([videoRefused('Carol')]);
    await media.setCamera(false);
    expect(shown).toEqual([]);
  });
});
