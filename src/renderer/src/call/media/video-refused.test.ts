/** "‹name› cannot receive video" and "your camera is paused" live as long as their causes: video refused, a path too thin. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, videoPaused, videoRefused, type VideoPeer } from './call-media.svelte.js';

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

describe('the camera-paused notice', () => {
  it('shows while the path holds the camera back toward that peer, and goes when it resumes or the peer leaves', () => {
    const shown: string[] = [];
    const withdraw = (text: string) => {
      const at = shown.indexOf(text);
      if (at >= 0) shown.splice(at, 1);
    };
    const media = new CallMedia({ cameraConstraints: () => ({}), notice: (text) => shown.push(text), withdraw });
    let paused: (on: boolean) => void = () => undefined;
    const onPaused = (fn: (on: boolean) => void) => {
      paused = fn;
      return () => undefined;
    };
    const link: VideoPeer = { ...refusingPeer().link, onPaused };
    media.attach(link, 'carol', 'Carol');
    paused(true);
    expect(shown).toEqual([videoPaused('Carol')]);
    paused(false);
    expect(shown).toEqual([]);
    paused(true);
    media.detach(link);
    expect(shown).toEqual([]);
  });
});
