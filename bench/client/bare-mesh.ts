/**
 * The baseline of the client benchmark: `n` people's calls done the
 * shortest way there is, one page each on a bare origin, as the app's
 * people are one page each. Each page opens its fake microphone (and, for
 * video, a 1280×720 camera), every pair is connected by a bare
 * RTCPeerConnection pair whose complete descriptions (candidates gathered)
 * the benchmark hands over, and everything received is played and shown, as
 * the app shows it. No app, no server, no meters, no statistics.
 *
 * One page per person matters: two getUserMedia calls in one page share a
 * single capture and its audio processing, where two people's pages, like
 * two people's machines, each run their own.
 */
import type { Page } from 'playwright-core';

interface MeshWindow {
  __mesh?: { stream: MediaStream; pcs: Map<number, RTCPeerConnection> };
}

/** Opens the page's microphone (and camera), ready to connect. */
function open(page: Page, video: boolean): Promise<void> {
  return page.evaluate(async (video) => {
    const constraints = { audio: true, video: video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } : false };
    (window as unknown as MeshWindow).__mesh = { stream: await navigator.mediaDevices.getUserMedia(constraints), pcs: new Map() };
  }, video);
}

/**
 * The page's connection toward person `peer`: made with its tracks, given the
 * remote description if there is one, and its own description back once
 * gathering is complete (so no candidate needs handing over apart).
 */
function describe(page: Page, peer: number, remote: RTCSessionDescriptionInit | null, video: boolean): Promise<RTCSessionDescriptionInit> {
  return page.evaluate(
    async ({ peer, remote, video }) => {
      const mesh = (window as unknown as MeshWindow).__mesh!;
      let pc = mesh.pcs.get(peer);
      if (!pc) {
        pc = new RTCPeerConnection();
        mesh.pcs.set(peer, pc);
        for (const track of mesh.stream.getTracks()) pc.addTrack(track, mesh.stream);
        pc.ontrack = ({ streams: [s] }) => {
          if (!s || document.querySelector(`[data-stream="${s.id}"]`)) return;
          const el = document.createElement(video ? 'video' : 'audio');
          el.dataset.stream = s.id;
          el.autoplay = true;
          if (el instanceof HTMLVideoElement) Object.assign(el, { playsInline: true, width: 320, height: 180 });
          el.srcObject = s;
          document.body.append(el);
        };
      }
      const answering = remote !== null;
      if (answering) await pc.setRemoteDescription(remote);
      await pc.setLocalDescription();
      if (pc.iceGatheringState !== 'complete') {
        const p = pc;
        await new Promise<void>((resolve) => p.addEventListener('icegatheringstatechange', () => p.iceGatheringState === 'complete' && resolve()));
      }
      return { type: pc.localDescription!.type, sdp: pc.localDescription!.sdp };
    },
    { peer, remote, video },
  );
}

/** The page's answer from `peer`. */
function answered(page: Page, peer: number, answer: RTCSessionDescriptionInit): Promise<void> {
  return page.evaluate(({ peer, answer }) => (window as unknown as MeshWindow).__mesh!.pcs.get(peer)!.setRemoteDescription(answer), { peer, answer });
}

/** Resolves once each of the page's connections is connected. */
function connected(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const pcs = [...(window as unknown as MeshWindow).__mesh!.pcs.values()];
    await Promise.all(
      pcs.map(
        (pc) =>
          new Promise<void>((resolve) => {
            const check = () => pc.connectionState === 'connected' && resolve();
            pc.addEventListener('connectionstatechange', check);
            check();
          }),
      ),
    );
  });
}

/** Every pair of `pages` (one person each) in a bare call with each other. */
export async function startBareMesh(pages: Page[], video: boolean): Promise<void> {
  for (const page of pages) await open(page, video);
  for (let i = 0; i < pages.length; i++) {
    for (let j = i + 1; j < pages.length; j++) {
      const offer = await describe(pages[i]!, j, null, video);
      const answer = await describe(pages[j]!, i, offer, video);
      await answered(pages[i]!, j, answer);
    }
  }
  await Promise.all(pages.map(connected));
}
