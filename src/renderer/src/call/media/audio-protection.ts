/**
 * What keeps speech whole on a lossy network, applied to a transceiver
 * before it is first negotiated (one call where transceivers are made: the
 * call's peer connection and the SFU's publish connection):
 *
 * - Audio: RED (RFC 2198, `audio/red`) first, then Opus, then the rest.
 *   With RED each packet also carries the previous frame, so a lost packet
 *   is rebuilt from the next one; a peer that does not offer or accept RED
 *   leaves it out of the answer and plain Opus is used (negotiation picks
 *   the first codec both sides have). Opus keeps in-band FEC on
 *   (`useinbandfec=1`, in the codec's own capability line, so it is in the
 *   offer as the capability has it) and libwebrtc's encoder adds the FEC
 *   data once the receiver's reports show loss: the packet-loss-driven
 *   encoder. DTX stays off (the codec line has no `usedtx`): on a lossy link
 *   a lost comfort-noise update leaves the far end in silence longer than a
 *   lost frame does. The packet time stays at Opus's 20 ms: 10 ms doubles
 *   the packets and their headers, 40 or 60 ms loses more speech per lost
 *   packet.
 *   RED is on from the first offer, not above a loss threshold: turning it
 *   on later takes a renegotiation that has to cross the lossy link when it
 *   is already lossy, and loss on real links comes in bursts before the
 *   reports show it. Its cost is one more Opus frame per packet (about
 *   +32 kbit/s at Chromium's 32 kbit/s Opus), measured in BENCHMARKS.md's
 *   speech quality table.
 * - Video: nothing to change. Chromium offers NACK (with RTX
 *   retransmissions) and PLI for every video codec by default; this keeps
 *   those in place (it leaves video preferences alone). Video FEC (ULPFEC
 *   or FlexFEC) is left out: with NACK on a call's round trip it costs a
 *   fixed share of a thin uplink that the audio needs more.
 */

/** One codec as RTCRtpReceiver.getCapabilities lists it. */
export type Codec = RTCRtpCodec;

const RED = 'audio/red';
const OPUS = 'audio/opus';

const mime = (c: Codec) => c.mimeType.toLowerCase();

/**
 * The audio codecs in the order Parley prefers them: RED (for Opus) first
 * when the browser has it, then Opus, then the rest as they were. Opus keeps
 * its capability's format line (in-band FEC on).
 */
export function preferredAudioCodecs(codecs: readonly Codec[]): Codec[] {
  const red = codecs.filter((c) => mime(c) === RED);
  const opus = codecs.filter((c) => mime(c) === OPUS);
  if (opus.length === 0) return [...codecs];
  // RED without Opus to carry is of no use.
  return [...red, ...opus, ...codecs.filter((c) => !red.includes(c) && !opus.includes(c))];
}

/** Whether a codec list (local capabilities, or what was negotiated) keeps Opus's in-band FEC on. */
export function opusFecOn(codecs: readonly Codec[]): boolean {
  return codecs.some((c) => mime(c) === OPUS && /(^|;)\s*useinbandfec=1/.test(c.sdpFmtpLine ?? ''));
}

/** What a description negotiated for audio, read from its SDP: RED, Opus FEC, DTX. */
export interface AudioProtection {
  red: boolean;
  fec: boolean;
  dtx: boolean;
}

/** The audio protection an SDP (offer or answer) carries, from its first audio section. */
export function audioProtectionIn(sdp: string): AudioProtection {
  const section = /^m=audio [^\n]*\n(?:(?!m=)[^\n]*\n?)*/m.exec(sdp)?.[0] ?? '';
  const payloads = (name: string) => [...section.matchAll(new RegExp(`^a=rtpmap:(\\d+) ${name}/48000/2`, 'gim'))].map((m) => m[1]);
  const fmtp = (pt: string | undefined) => (pt === undefined ? '' : (new RegExp(`^a=fmtp:${pt} ([^\\r\\n]*)`, 'm').exec(section)?.[1] ?? ''));
  const opus = payloads('opus')[0];
  return {
    red: payloads('red').length > 0,
    fec: /(^|;)\s*useinbandfec=1/.test(fmtp(opus)),
    dtx: /(^|;)\s*usedtx=1/.test(fmtp(opus)),
  };
}

/**
 * Applies Parley's preferences to a transceiver not yet negotiated: for
 * audio, RED and Opus first (see above); video is left as the browser
 * offers it (NACK and PLI on). Does nothing where the browser cannot set
 * codec preferences.
 */
export function protectMedia(transceiver: RTCRtpTransceiver | undefined): void {
  if (!transceiver || transceiver.receiver.track.kind !== 'audio') return;
  if (typeof transceiver.setCodecPreferences !== 'function') return;
  const codecs = RTCRtpReceiver.getCapabilities('audio')?.codecs;
  if (!codecs || codecs.length === 0) return;
  transceiver.setCodecPreferences(preferredAudioCodecs(codecs));
}
