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

/**
 * The m-line of `mid` in `sdp` was rejected (port 0) or says the peer takes
 * nothing: `recvonly` from the peer's side is fine, `sendonly` or `inactive`
 * is a refusal when this side asked to send.
 */
export function refusedIn(sdp: string, mid: string | null): boolean {
  if (mid === null) return false;
  const section = sdp.split(/\r?\n(?=m=)/).find((s) => new RegExp(`^a=mid:${escape(mid)}\\s*$`, 'm').test(s));
  if (!section) return false;
  if (/^m=\S+ 0 /.test(section)) return true;
  return /^a=(sendonly|inactive)\s*$/m.test(section);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
