/**
 * Which video transceiver of a peer connection carries which source: the
 * first video m-line of the session (in SDP order) is the camera, the second
 * the screen, whoever made them. A peer that offered fewer video m-lines
 * (audio only, or one video) gets the missing ones added by this side when
 * it needs them; added ones come after the negotiated ones, so the order,
 * and so the mapping, holds for both sides.
 */
export type VideoSource = 'camera' | 'screen';
export const VIDEO_SOURCES: readonly VideoSource[] = ['camera', 'screen'];

export type Slots = Partial<Record<VideoSource, RTCRtpTransceiver>>;

const isVideo = (t: RTCRtpTransceiver): boolean => t.receiver.track.kind === 'video';

/** The mids of `sdp`'s video m-lines, in order (a rejected one keeps its place). */
export function videoMids(sdp: string): string[] {
  return sdp
    .split(/\r?\n(?=m=)/)
    .filter((section) => section.startsWith('m=video'))
    .map((section) => /^a=mid:(\S+)/m.exec(section)?.[1] ?? '');
}

/**
 * Camera and screen among `pc`'s video transceivers: the first and second
 * video m-lines of the session, then transceivers not negotiated yet, in the
 * order they were added, for the places still free.
 */
export function findSlots(pc: RTCPeerConnection): Slots {
  const sdp = pc.remoteDescription?.sdp ?? pc.localDescription?.sdp ?? '';
  const mids = videoMids(sdp);
  const video = pc.getTransceivers().filter(isVideo);
  const places: (RTCRtpTransceiver | undefined)[] = mids.map((mid) => video.find((t) => t.mid === mid));
  const fresh = video.filter((t) => t.mid === null || !mids.includes(t.mid));
  for (let i = 0; i < 2 && fresh.length > 0; i++) places[i] ??= fresh.shift();
  const [camera, screen] = places;
  return { ...(camera && { camera }), ...(screen && { screen }) };
}

/** Whether the peer takes what this side sends on `slot`, as last negotiated. */
export function peerReceives(slot: RTCRtpTransceiver): boolean {
  return slot.currentDirection === 'sendrecv' || slot.currentDirection === 'sendonly';
}

/** Whether the peer may send on `slot`, as last negotiated. */
export function peerSends(slot: RTCRtpTransceiver): boolean {
  return slot.currentDirection === 'sendrecv' || slot.currentDirection === 'recvonly';
}

/** The m-line section of `mid` in `sdp`, if there is one. */
function section(sdp: string, mid: string): string | undefined {
  return sdp.split(/\r?\n(?=m=)/).find((s) => new RegExp(`^a=mid:${escape(mid)}\\s*$`, 'm').test(s));
}

/** The direction an m-line section states (sendrecv when it states none, as RFC 4566 says). */
function direction(section: string): string {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv';
}

/**
 * The peer turned down video this side asked to send on `mid`: our `offer`
 * said `sendrecv` or `sendonly` there, and the `answer` rejected the m-line
 * (port 0) or takes nothing on it (`sendonly` or `inactive` from the peer's
 * side). An answer to an offer made before this side had a track (so it
 * offered `recvonly`) says nothing about what the peer takes: the renegotiation
 * the new track brings asks again.
 */
export function refusedIn(offer: string, answer: string, mid: string | null): boolean {
  if (mid === null) return false;
  const asked = section(offer, mid);
  const said = section(answer, mid);
  if (!asked || !said) return false;
  if (!['sendrecv', 'sendonly'].includes(direction(asked)) || /^m=\S+ 0 /.test(asked)) return false;
  if (/^m=\S+ 0 /.test(said)) return true;
  return ['sendonly', 'inactive'].includes(direction(said));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
