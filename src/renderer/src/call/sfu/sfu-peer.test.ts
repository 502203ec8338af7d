import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaState } from '../call-session.js';
import type { CallMedia } from '../media/call-media.svelte.js';
import type { RemoteVideo } from '../media/video.js';
import { SfuPeer } from './sfu-peer.js';
import type { Received, SfuSession } from './sfu-session.js';

/** Just enough of a MediaStream for the tests (the renderer suite runs in Node). */
class FakeStream {
  constructor(private readonly tracks: MediaStreamTrack[]) {}
  getVideoTracks(): MediaStreamTrack[] {
    return this.tracks;
  }
}
const track = (id: string, muted = false) => ({ id, muted }) as unknown as MediaStreamTrack;

function setup() {
  const streams: MediaStream[] = [];
  const states: MediaState[] = [];
  let shown: RemoteVideo = { camera: null, screen: null };
  const setMuted = vi.fn();
  const replaceMicrophone = vi.fn();
  const setCamera = vi.fn();
  const setScreen = vi.fn();
  const detach = vi.fn();
  const talkers = new Set<string>();
  const session = { setMuted, replaceMicrophone, setCamera, setScreen, level: () => 0.4, talking: (u: string) => talkers.has(u) } as unknown as SfuSession;
  type Link = { subscribe(fn: (r: RemoteVideo) => void): () => void; setTrack(s: 'camera' | 'screen', t: MediaStreamTrack | null): Promise<void> };
  let attached: Link | null = null;
  const media = {
    attach: (link: Link) => {
      attached = link;
      link.subscribe((r) => (shown = r));
      void link.setTrack('camera', track('my-camera'));
    },
    detach,
  } as unknown as CallMedia;
  const closed = vi.fn();
  const peer = new SfuPeer(
    { username: 'bob', displayName: 'Bob' },
    { onRemoteStream: (s) => streams.push(s), onMediaState: (s) => states.push(s), media, session: () => session, closed },
  );
  return { peer, talkers, streams, states, shown: () => shown, setMuted, replaceMicrophone, setCamera, setScreen, detach, closed, link: () => attached };
}

const received = (audio: MediaStreamTrack | null, video: MediaStreamTrack | null = null, screen: MediaStreamTrack | null = null): Received => ({
  audio,
  audioReceiver: null,
  video,
  videoReceiver: null,
  screen,
  screenReceiver: null,
  mids: ['0', '1', '2'],
});
const frames = (camera: number, screen = 0) => ({ camera, screen });

beforeEach(() => vi.stubGlobal('MediaStream', FakeStream));
afterEach(() => vi.unstubAllGlobals());

describe('a person on the SFU, as the mesh sees them', () => {
  it('they speak as the SFU says (sfu:talking), whatever the level their tile meters', () => {
    const { peer, talkers } = setup();
    expect([peer.receivedLevel(), peer.speaking()]).toEqual([0.4, false]);
    talkers.add('bob');
    expect(peer.speaking()).toBe(true);
  });

  it('their audio becomes their stream once, and they are connected while it arrives over a connected subscription', () => {
    const { peer, streams, states } = setup();
    const audio = track('a', true);
    peer.update(received(audio), true);
    expect(streams).toHaveLength(1);
    expect(states).toEqual([]); // no packet yet: the track is muted
    (audio as { muted: boolean }).muted = false;
    peer.update(received(audio), true);
    peer.update(received(audio), true);
    expect(streams).toHaveLength(1);
    expect(states).toEqual(['connected']);
    peer.update(undefined, false);
    expect(states).toEqual(['connected', 'interrupted']);
    expect(peer.receivedLevel()).toBe(0.4);
  });

  it('their camera is a tile while its frames keep coming, and goes when they stop', () => {
    const { peer, shown } = setup();
    const video = track('v');
    peer.update(received(track('a'), video), true);
    expect(shown().camera).toBeNull();
    peer.framesDecoded(frames(10), 1000);
    expect(shown().camera?.getVideoTracks()).toEqual([video]);
    peer.framesDecoded(frames(10), 2000);
    expect(shown().camera).not.toBeNull();
    peer.framesDecoded(frames(10), 2600);
    expect(shown().camera).toBeNull();
    peer.framesDecoded(frames(11), 3000);
    expect(shown().camera).not.toBeNull();
  });

  it('their shared screen is a tile of its own beside their camera, each shown while its own frames come', () => {
    const { peer, shown } = setup();
    const [video, screen] = [track('v'), track('s')];
    peer.update(received(track('a'), video, screen), true);
    peer.framesDecoded(frames(10, 5), 1000);
    expect(shown().camera?.getVideoTracks()).toEqual([video]);
    expect(shown().screen?.getVideoTracks()).toEqual([screen]);
    const cameraStream = shown().camera;
    // The camera stops (turned off), the screen goes on: the camera's tile goes, the screen's stream stays the same one.
    peer.framesDecoded(frames(10, 6), 2000);
    peer.framesDecoded(frames(10, 7), 2600);
    expect(shown().camera).toBeNull();
    expect(shown().screen?.getVideoTracks()).toEqual([screen]);
    peer.framesDecoded(frames(11, 8), 2700);
    expect(shown().camera).not.toBe(cameraStream);
    const screenStream = shown().screen;
    peer.framesDecoded(frames(12, 9), 2800);
    expect(shown().screen).toBe(screenStream);
    // Sharing stops: its frames stop, and its tile goes.
    peer.framesDecoded(frames(13, 9), 4400);
    expect([shown().camera !== null, shown().screen]).toEqual([true, null]);
  });

  it("mute, a replaced microphone and this side's camera and screen go to the one publication; closing detaches the video and is told", () => {
    const { peer, setMuted, replaceMicrophone, setCamera, setScreen, detach, closed, link } = setup();
    expect(setCamera).toHaveBeenCalledWith(track('my-camera'));
    void link()?.setTrack('screen', track('my-screen'));
    expect(setScreen).toHaveBeenLastCalledWith(track('my-screen'));
    void link()?.setTrack('screen', null);
    expect(setScreen).toHaveBeenLastCalledWith(null);
    peer.setMuted(true);
    expect(setMuted).toHaveBeenCalledWith(true);
    peer.replaceMicrophone(track('denoised'));
    expect(replaceMicrophone).toHaveBeenCalledWith(track('denoised'));
    expect(peer.descriptions()).toEqual({ local: null, remote: null });
    peer.close();
    expect(detach).toHaveBeenCalled();
    expect(closed).toHaveBeenCalled();
  });
});
