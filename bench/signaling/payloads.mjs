// What the benchmark's calls carry: SDP and ICE candidates of the size a
// browser sends for an audio call (an audio offer of about 1.3 KB, candidates of
// about 150 bytes).

const sdp = (setup) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 6f8a3c2e-1b7d-4c1e-9a55-3f0e2d9b7c11',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:EsAw',
    'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:AD:30:BC:BD:F1:9C:02',
    `a=setup:${setup}`,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:6f8a3c2e-1b7d-4c1e-9a55-3f0e2d9b7c11 0c7d3b4e-8f1a-4d2b-b6c9-5e4f3a2d1c0b',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:3735928559 cname:Qh3vXK0wJmT4bL7e',
    'a=ssrc:3735928559 msid:6f8a3c2e-1b7d-4c1e-9a55-3f0e2d9b7c11 0c7d3b4e-8f1a-4d2b-b6c9-5e4f3a2d1c0b',
    '',
  ].join('\r\n');

export const OFFER_SDP = sdp('actpass');
export const ANSWER_SDP = sdp('active');

export const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 192.168.1.20 rport 54321 generation 0 ufrag EsAw network-cost 999',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'EsAw',
};

/** A candidate of the same size whose foundation carries a sequence number, to match it at the receiver. */
export function relayCandidate(seq) {
  return { ...CANDIDATE, candidate: CANDIDATE.candidate.replace('842163049', String(seq).padStart(9, '0')) };
}

export function relaySeq(candidate) {
  const m = typeof candidate === 'string' ? /^candidate:(\d+) /.exec(candidate) : null;
  return m ? Number(m[1]) : undefined;
}

/** What every benchmark call asks for: audio only. */
export const MEDIA = { audio: true, video: false };
