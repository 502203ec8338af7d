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
const m = (kind: string, mid: string, dir: string, port = 9) => `m=${kind} ${port} UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:${mid}\r\na=${dir}`;

describe('video slots in the SDP', () => {
  it('lists video m-lines in order, rejected ones keeping their place', () => {
    expect(videoMids(sdp([m('audio', '0', 'sendrecv'), m('video', '1', 'sendrecv', 0), m('video', '2', 'recvonly')]))).toEqual(['1', '2']);
    expect(videoMids(sdp([m('audio', '0', 'sendrecv')]))).toEqual([]);
  });

  it('an answer that rejects the m-line, or takes nothing on it, refuses; recvonly and sendrecv accept', () => {
    const answer = sdp([m('video', 'a', 'recvonly'), m('video', 'b', 'sendrecv'), m('video', 'c', 'inactive'), m('video', 'd', 'sendonly'), m('video', 'e', 'recvonly', 0)]);
    expect(['a', 'b', 'c', 'd', 'e'].map((mid) => refusedIn(answer, mid))).toEqual([false, false, true, true, true]);
    expect(refusedIn(answer, 'zz')).toBe(false);
    expect(refusedIn(answer, null)).toBe(false);
  });
});
