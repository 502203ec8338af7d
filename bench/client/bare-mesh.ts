/**
 * The baseline of the client benchmark: `n` people's calls done the
 * shortest way there is, in one page on a bare origin. Each person's fake
 * microphone (and, for video, a 1280×720 camera) is opened, every pair is
 * connected by a bare RTCPeerConnection pair with the descriptions and
 * candidates handed over directly, and everything received is played and
 * shown, as the app shows it. No app, no server, no meters, no statistics.
 */
import type { Page } from 'playwright-core';

export function startBareMesh(page: Page, n: number, video: boolean): Promise<void> {
  return page.evaluate(
    async ({ n, video }) => {
      const g = window as unknown as { __mesh?: { pcs: RTCPeerConnection[]; streams: MediaStream[] } };
      const constraints = { audio: true, video: video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } : false };
      const streams: MediaStream[] = [];
      for (let i = 0; i < n; i++) streams.push(await navigator.mediaDevices.getUserMedia(constraints));
      const pcs: RTCPeerConnection[] = [];
      const show = (stream: MediaStream | undefined) => {
        if (!stream || document.querySelector(`[data-stream="${stream.id}"]`)) return;
        const el = document.createElement(video ? 'video' : 'audio');
        el.dataset.stream = stream.id;
        el.autoplay = true;
        if (el instanceof HTMLVideoElement) Object.assign(el, { playsInline: true, width: 320, height: 180 });
        el.srcObject = stream;
        document.body.append(el);
      };
      const connected: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const a = new RTCPeerConnection();
          const b = new RTCPeerConnection();
          for (const [pc, other, stream] of [[a, b, streams[i]!], [b, a, streams[j]!]] as const) {
            for (const track of stream.getTracks()) pc.addTrack(track, stream);
            pc.onicecandidate = ({ candidate }) => {
              if (candidate) void other.addIceCandidate(candidate);
            };
            pc.ontrack = ({ streams: [s] }) => show(s);
            connected.push(
              new Promise((resolve) => {
                pc.onconnectionstatechange = () => pc.connectionState === 'connected' && resolve();
              }),
            );
          }
          pcs.push(a, b);
          await a.setLocalDescription();
          await b.setRemoteDescription(a.localDescription!);
          await b.setLocalDescription();
          await a.setRemoteDescription(b.localDescription!);
        }
      }
      g.__mesh = { pcs, streams };
      await Promise.all(connected);
    },
    { n, video },
  );
}
