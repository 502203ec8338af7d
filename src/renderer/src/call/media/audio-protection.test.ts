import { afterEach, describe, expect, it, vi } from 'vitest';
import { audioProtectionIn, opusFecOn, preferredAudioCodecs, protectMedia, type Codec } from './audio-protection.js';

/** Chromium's audio capabilities, as getCapabilities('audio') lists them (abridged). */
const CHROMIUM: Codec[] = [
  { mimeType: 'audio/opus', clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1' },
  { mimeType: 'audio/red', clockRate: 48000, channels: 2, sdpFmtpLine: '111/111' },
  { mimeType: 'audio/G722', clockRate: 8000, channels: 1 },
  { mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
  { mimeType: 'audio/telephone-event', clockRate: 48000, channels: 1 },
];

describe('preferredAudioCodecs', () => {
  it('puts RED first, then Opus with its FEC line, then the rest in their order', () => {
    const order = preferredAudioCodecs(CHROMIUM);
    expect(order.map((c) => c.mimeType)).toEqual(['audio/red', 'audio/opus', 'audio/G722', 'audio/PCMU', 'audio/telephone-event']);
    expect(order[1]?.sdpFmtpLine).toBe('minptime=10;useinbandfec=1');
    expect(opusFecOn(order)).toBe(true);
  });

  it('puts Opus first where the browser has no RED', () => {
    const order = preferredAudioCodecs(CHROMIUM.filter((c) => c.mimeType !== 'audio/red'));
    expect(order.map((c) => c.mimeType)).toEqual(['audio/opus', 'audio/G722', 'audio/PCMU', 'audio/telephone-event']);
  });

  it('leaves the list as it is without Opus (RED alone carries nothing)', () => {
    const noOpus = CHROMIUM.filter((c) => c.mimeType !== 'audio/opus');
    expect(preferredAudioCodecs(noOpus)).toEqual(noOpus);
  });

  it('sees FEC off when the Opus line lacks it', () => {
    expect(opusFecOn([{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10' }])).toBe(false);
    expect(opusFecOn([{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, sdpFmtpLine: 'useinbandfec=0' }])).toBe(false);
  });
});

const SDP = (audio: string) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', audio, 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000', 'a=fmtp:96 useinbandfec=1;usedtx=1', ''].join('\r\n');

describe('audioProtectionIn', () => {
  it('reads RED, FEC and DTX from the audio section of an offer', () => {
    const offer = SDP(
      ['m=audio 9 UDP/TLS/RTP/SAVPF 63 111 9', 'a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtpmap:9 G722/8000'].join('\r\n'),
    );
    expect(audioProtectionIn(offer)).toEqual({ red: true, fec: true, dtx: false });
  });

  it('an answer without RED and with DTX reads so; the video section does not count', () => {
    const answer = SDP(['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;usedtx=1'].join('\r\n'));
    expect(audioProtectionIn(answer)).toEqual({ red: false, fec: false, dtx: true });
  });

  it('reads nothing from an SDP without audio', () => {
    expect(audioProtectionIn(SDP(''))).toEqual({ red: false, fec: false, dtx: false });
  });
});

describe('protectMedia', () => {
  afterEach(() => vi.unstubAllGlobals());

  const transceiver = (kind: string) => ({ receiver: { track: { kind } }, setCodecPreferences: vi.fn() });

  it('sets RED and Opus first on an audio transceiver', () => {
    vi.stubGlobal('RTCRtpReceiver', { getCapabilities: () => ({ codecs: CHROMIUM, headerExtensions: [] }) });
    const t = transceiver('audio');
    protectMedia(t as unknown as RTCRtpTransceiver);
    expect(t.setCodecPreferences).toHaveBeenCalledWith(preferredAudioCodecs(CHROMIUM));
  });

  it('leaves video (NACK and PLI by default) and a missing transceiver alone', () => {
    vi.stubGlobal('RTCRtpReceiver', { getCapabilities: () => ({ codecs: CHROMIUM, headerExtensions: [] }) });
    const t = transceiver('video');
    protectMedia(t as unknown as RTCRtpTransceiver);
    protectMedia(undefined);
    expect(t.setCodecPreferences).not.toHaveBeenCalled();
  });

  it('does nothing where the browser lists no capabilities', () => {
    vi.stubGlobal('RTCRtpReceiver', { getCapabilities: () => null });
    const t = transceiver('audio');
    protectMedia(t as unknown as RTCRtpTransceiver);
    expect(t.setCodecPreferences).not.toHaveBeenCalled();
  });
});
