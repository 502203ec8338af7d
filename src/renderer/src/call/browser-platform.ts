/** The call controller's platform in a real browser: getUserMedia, Web Audio meters, RTCPeerConnection. */
import { windowShown } from '../desktop/window-shown.js';
import { afterPaint } from '../lib/after-paint.js';
import { logger } from '../lib/log.js';
import type { CallPlatform, PeerRequest } from './call-deps.js';
import { CallSession } from './call-session.js';
import { LevelMeter } from './media/audio.js';
import { AudioRedundancy, warmRedundancy } from './media/audio-redundancy.js';
import { microphones } from './media/microphone-browser.js';
import type { Microphone } from './media/microphone.js';
import type { PeerSession } from './mesh.svelte.js';

const log = logger('media');

/**
 * How long a call just placed rings before the caller's microphone opens: its start-up (the browser's audio service,
 * several ms of both cores here) then lands after this side's card and the callee's ring are drawn (where both ends
 * share a machine, as the benchmarks' two pages do: BENCHMARKS.md, Dial → ring), and a call refused, or cancelled
 * at once, never opens it. Nobody answers within it; an answer that does only waits for it.
 */
const RINGING_MS = 150;

/**
 * The session toward one other person, on copies of the microphone's tracks:
 * each session stops its own when it closes, and the others keep theirs.
 */
function peerSession(r: PeerRequest): PeerSession {
  const session = new CallSession({
    polite: r.polite,
    ...(r.ahead && { ahead: r.ahead }),
    iceServers: r.iceServers,
    localStream: new MediaStream(r.localStream.getTracks().map((t) => t.clone())),
    send: r.send,
    canSignal: r.canSignal,
    onRemoteStream: r.onRemoteStream,
    onMediaState: r.onMediaState,
    redundancy: (sender) => new AudioRedundancy(sender),
  });
  session.setMuted(r.muted);
  // This side's camera and screen go to every person, and each person's video and chat join the call's.
  r.media.attach(session.video, r.user.username, r.user.displayName);
  r.chat.attach(session.chat, r.user.displayName);
  return {
    polite: session.polite,
    handleSignal: (signal) => session.handleSignal(signal),
    release: () => session.release(),
    signalingRestored: () => session.signalingRestored(),
    setMuted: (muted) => session.setMuted(muted),
    replaceMicrophone: (track) => session.replaceMicrophone(track),
    setOnHold: (onHold) => session.setOnHold(onHold),
    setIceServers: (servers) => session.setIceServers(servers),
    getStats: () => session.getStats(),
    outgoingLoss: (pct) => session.outgoingLoss(pct),
    setGroup: (group) => session.video.setGroup(group),
    descriptions: () => session.descriptions(),
    receivedLevel: () => session.receivedLevel(),
    close: () => {
      r.media.detach(session.video);
      r.chat.detach(session.chat);
      session.close();
    },
  };
}

export function browserPlatform(): CallPlatform {
  // The first call's transform worker starts now, off the main thread, before anyone dials.
  warmRedundancy();
  let permission: PermissionStatus | null = null;
  // Looked up once: a call checks it before it rings anyone, without waiting.
  // Unknown where the query is refused (or absent): getUserMedia will say.
  const permissions = (globalThis.navigator as Partial<Navigator> | undefined)?.permissions;
  permissions
    ?.query({ name: 'microphone' })
    .then((status) => (permission = status))
    .catch(() => undefined);
  // The microphones open now, by the stream the call holds: a denoised one has a graph and a device behind it.
  const open = new WeakMap<MediaStream, Microphone>();
  const adopt = async (opening: Promise<Microphone | null>, failure: string): Promise<MediaStream | null> => {
    try {
      const microphone = await opening;
      if (microphone) open.set(microphone.stream, microphone);
      return microphone?.stream ?? null;
    } catch (err) {
      log.warn(failure, err);
      return null;
    }
  };
  return {
    openMicrophone: (settings, notice) => adopt(microphones.open(settings, notice), 'microphone unavailable'),
    denoisedMicrophone: (settings) => adopt(microphones.denoised(settings, true), 'microphone unavailable for RNNoise'),
    microphoneDenied: () => permission?.state === 'denied',
    levelMeter: (stream) => open.get(stream)?.meter() ?? new LevelMeter(stream),
    peerSession,
    afterPaint,
    afterRinging: (fn) => void setTimeout(fn, RINGING_MS),
    shown: windowShown,
    restMicrophone: (stream, resting) => open.get(stream)?.rest(resting),
    stopStream(stream) {
      const microphone = open.get(stream);
      open.delete(stream);
      if (microphone) microphone.stop();
      else for (const t of stream.getTracks()) t.stop();
    },
  };
}
