/**
 * When a camera track reaches a video slot. Chromium aborts the whole renderer (a CHECK in SetVideoSend) when a
 * track is given to a sender whose slot was negotiated not to send; the track must wait for the renegotiation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VideoLink } from './video.js';

type Direction = RTCRtpTransceiverDirection;

/** A transceiver recording what its sender was given. */
class FakeSlot {
  direction: Direction;
  currentDirection: Direction | null = null;
  mid: string | null = null;
  readonly given: (MediaStreamTrack | null)[] = [];
  readonly receiver = {
    track: Object.assign(new EventTarget(), { kind: 'video', muted: true }),
    getStats: () => Promise.resolve(new Map()),
  };
  readonly sender = {
    track: null as MediaStreamTrack | null,
    replaceTrack: (track: MediaStreamTrack | null) => {
      this.given.push(track);
      this.sender.track = track;
      return Promise.resolve();
    },
    setStreams: () => undefined,
    getParameters: () => ({ encodings: [{}] }),
    setParameters: () => Promise.resolve(),
    getStats: () => Promise.resolve(new Map()),
  };
  constructor(init: RTCRtpTransceiverInit) {
    this.direction = init.direction ?? 'sendrecv';
  }
}

/** The parts of a peer connection VideoLink reads; signalingState moves only when the test says so. */
class FakeConnection extends EventTarget {
  readonly slots: FakeSlot[] = [];
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'connected';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;

  addTransceiver(_kind: string, init: RTCRtpTransceiverInit): FakeSlot {
    const slot = new FakeSlot(init);
    this.slots.push(slot);
    return slot;
  }
  getTransceivers(): FakeSlot[] {
    return this.slots;
  }
  getSenders(): FakeSlot['sender'][] {
    return this.slots.map((s) => s.sender);
  }
  /** One negotiation done: each slot's currentDirection is what it asked for. */
  negotiate(): void {
    this.slots.forEach((slot, i) => {
      slot.mid = String(i + 1);
      slot.currentDirection = slot.direction;
    });
    this.signalingState = 'have-local-offer';
    this.dispatchEvent(new Event('signalingstatechange'));
    this.signalingState = 'stable';
    this.dispatchEvent(new Event('signalingstatechange'));
  }
}

const camera = { kind: 'video', id: 'camera' } as unknown as MediaStreamTrack;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let link: VideoLink | null = null;
beforeEach(() => {
  vi.stubGlobal('MediaStream', function MediaStream() {});
});
afterEach(() => {
  link?.dispose();
  link = null;
  vi.unstubAllGlobals();
});

function impoliteLink(): { pc: FakeConnection; slot: FakeSlot } {
  const pc = new FakeConnection();
  link = new VideoLink(pc as unknown as RTCPeerConnection, false, {} as MediaStream);
  return { pc, slot: pc.slots[0]! };
}

describe('a camera track and its slot', () => {
  it('goes to a slot never negotiated at once: it rides in the first offer', async () => {
    const { slot } = impoliteLink();
    await link!.setTrack('camera', camera);
    expect(slot.given).toEqual([camera]);
    expect(slot.direction).toBe('sendrecv');
  });

  it('waits while the slot is negotiated recvonly, and goes once the renegotiation makes it send', async () => {
    const { pc, slot } = impoliteLink();
    pc.negotiate();
    expect(slot.currentDirection).toBe('recvonly');

    await link!.setTrack('camera', camera);
    expect(slot.direction).toBe('sendrecv');
    expect(slot.given).toEqual([]);

    pc.negotiate();
    await settle();
    expect(slot.given).toEqual([camera]);
    expect(link!.sending('camera')).toBe(true);
  });

  it('is taken off at once when the camera stops, and a new one waits again for the renegotiation', async () => {
    const { pc, slot } = impoliteLink();
    await link!.setTrack('camera', camera);
    pc.negotiate();
    await link!.setTrack('camera', null);
    expect(slot.given).toEqual([camera, null]);
    expect(slot.direction).toBe('recvonly');

    pc.negotiate();
    const again = { kind: 'video', id: 'again' } as unknown as MediaStreamTrack;
    await link!.setTrack('camera', again);
    expect(slot.given).toEqual([camera, null]);
    pc.negotiate();
    await settle();
    expect(slot.given).toEqual([camera, null, again]);
  });

  it('stays held when the renegotiation leaves the slot not sending (the peer answered inactive)', async () => {
    const { pc, slot } = impoliteLink();
    pc.negotiate();
    await link!.setTrack('camera', camera);
    slot.direction = 'inactive';
    pc.negotiate();
    await settle();
    expect(slot.given).toEqual([]);
  });
});
