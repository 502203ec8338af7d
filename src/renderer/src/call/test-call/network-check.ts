/**
 * Gathers ICE candidates with the servers this account is given and says,
 * per server, what it did: a STUN server that told us our public address, a
 * TURN server that gave a relay, refused the credentials, or never answered
 * (Chromium's icecandidateerror: 401 is a refusal, 701 no answer). No media
 * and no peer: only the gathering.
 */
import type { IceServer } from 'parley-server/protocol';

export type ServerVerdict =
  | { kind: 'relay'; url: string; address: string }
  | { kind: 'srflx'; url: string; address: string }
  | { kind: 'refused'; url: string; code: number; text: string }
  | { kind: 'no-answer'; url: string; text: string };

export interface GatherResult {
  /** A local address was found at all (no candidates at all means WebRTC is blocked here). */
  host: boolean;
  verdicts: ServerVerdict[];
}

const GATHER_TIMEOUT_MS = 10_000;

/** `turn:host:port?transport=udp` → `host:port`, to match an event's URL with a configured one. */
export function serverOf(url: string): string {
  const m = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?/i.exec(url);
  if (!m) return url;
  const secure = /^(stuns|turns):/i.test(url);
  return `${m[1] ?? ''}:${m[2] ?? (secure ? '5349' : '3478')}`;
}

function urlsOf(servers: IceServer[]): string[] {
  return servers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
}

/** What gathering saw, as verdicts per configured URL (one relay or srflx per server address is enough). */
export function verdictsFor(
  urls: string[],
  candidates: { type: string; address: string; url: string | undefined }[],
  errors: { url: string; code: number; text: string }[],
): ServerVerdict[] {
  return urls.map((url): ServerVerdict => {
    const at = serverOf(url);
    const turn = /^turns?:/i.test(url);
    const found = candidates.find((c) => c.type === (turn ? 'relay' : 'srflx') && (c.url === undefined ? true : serverOf(c.url) === at));
    if (found) return { kind: turn ? 'relay' : 'srflx', url, address: found.address };
    const err = errors.find((e) => serverOf(e.url) === at && e.code === 401) ?? errors.find((e) => serverOf(e.url) === at);
    if (err && err.code >= 300 && err.code < 700) return { kind: 'refused', url, code: err.code, text: err.text };
    return { kind: 'no-answer', url, text: err?.text ?? 'nothing came back' };
  });
}

export async function gather(servers: IceServer[], timeoutMs = GATHER_TIMEOUT_MS): Promise<GatherResult> {
  const pc = new RTCPeerConnection({ iceServers: servers });
  const candidates: { type: string; address: string; url: string | undefined }[] = [];
  const errors: { url: string; code: number; text: string }[] = [];
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pc.onicecandidate = (e) => {
        if (!e.candidate) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const c = e.candidate;
        // The event's url is deprecated but the one place Chromium names the server a candidate came from.
        const url = (c as RTCIceCandidate & { url?: string | null }).url ?? (e as RTCPeerConnectionIceEvent & { url?: string | null }).url ?? undefined;
        candidates.push({ type: c.type ?? '', address: `${c.address ?? '?'}:${c.port ?? '?'}`, url: url ?? undefined });
      };
      pc.onicecandidateerror = (e) => {
        const ev = e;
        errors.push({ url: ev.url, code: ev.errorCode, text: ev.errorText });
      };
      pc.createDataChannel('network-check');
      void pc.createOffer().then((offer) => pc.setLocalDescription(offer));
    });
  } finally {
    pc.close();
  }
  return { host: candidates.some((c) => c.type === 'host'), verdicts: verdictsFor(urlsOf(servers), candidates, errors) };
}
