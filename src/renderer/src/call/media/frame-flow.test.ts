import { describe, expect, it } from 'vitest';
import { FrameFlow, STALL_MS } from './frame-flow.js';
import { refusedIn, videoMids } from './video-slots.js';

describe('FrameFlow: a tile follows decoded frames, not the SDP', () => {
  it('says nothing flows while no frame is decoded, however long', () => {
    const flow = new FrameFlow();
    for (let t = 0; t < 20_000; t += 500) expect(flow.sample(0, t)).toBe(false);
  });

  it('flows from the first decoded frame, and stops after STALL_MS without a new one', () => {
    const flow = new FrameFlow();
    expect(flow.sample(0, 0)).toBe(false);
    expect(flow.sample(12, 500)).toBe(true);
    expect(flow.sample(12, 500 + STALL_MS - 1)).toBe(true); // a still screen repeats a frame about once a second
    expect(flow.sample(12, 500 + STALL_MS)).toBe(false);
    expect(flow.sample(13, 600 + STALL_MS)).toBe(true);
  });

  it('a mute stops it at once; a counter that went back is a new baseline, not frames', () => {
    const flow = new FrameFlow();
    flow.sample(30, 0);
    flow.stop();
    expect(flow.flowing).toBe(false);
    expect(flow.sample(5, 100)).toBe(false);
    expect(flow.sample(6, 200)).toBe(true);
  });
});

const sdp = (sections: string[]) => ['v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', ...sections].join('\r\n') + '\r\n';
const m = (kind: string, mid: string, dir: string | null, port = 9) =>
  `m=${kind} ${port} UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:${mid}${dir ? `\r\na=${dir}` : ''}`;

describe('video slots in the SDP', () => {
  it('lists video m-lines in order, rejected ones keeping their place', () => {
    expect(videoMids(sdp([m('audio', '0', 'sendrecv'), m('video', '1', 'sendrecv', 0), m('video', '2', 'recvonly')]))).toEqual(['1', '2']);
    expect(videoMids(sdp([m('audio', '0', 'sendrecv')]))).toEqual([]);
  });

  it('an answer that rejects the m-line, or takes nothing on it, refuses video this side offered to send', () => {
    const offer = sdp(['a', 'b', 'c', 'd', 'e'].map((mid) => m('video', mid, 'sendrecv')));
    const answer = sdp([m('video', 'a', 'recvonly'), m('video', 'b', 'sendrecv'), m('video', 'c', 'inactive'), m('video', 'd', 'sendonly'), m('video', 'e', 'recvonly', 0)]);
    expect(['a', 'b', 'c', 'd', 'e'].map((mid) => refusedIn(offer, answer, mid))).toEqual([false, false, true, true, true]);
    expect(refusedIn(offer, answer, 'zz')).toBe(false);
    expect(refusedIn(offer, answer, null)).toBe(false);
  });

  it('an answer to an offer made before the camera opened (recvonly) is no refusal, whatever it says', () => {
    // The caller's first offer goes before its camera opens; a callee with its camera off answers inactive,
    // one with it on answers sendonly. Neither turned anything down (issue 33: the false "cannot receive video").
    const offer = sdp([m('audio', '0', 'sendrecv'), m('video', '1', 'recvonly'), m('video', '2', 'recvonly')]);
    const answer = sdp([m('audio', '0', 'sendrecv'), m('video', '1', 'inactive'), m('video', '2', 'sendonly')]);
    expect(refusedIn(offer, answer, '1')).toBe(false);
    expect(refusedIn(offer, answer, '2')).toBe(false);
    // An offer stating no direction offers sendrecv.
    expect(refusedIn(sdp([m('video', '1', null)]), answer, '1')).toBe(true);
  });
});
