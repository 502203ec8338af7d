/**
 * The baseline of `bench:quality`: a bare pair of RTCPeerConnections with
 * Chromium's defaults (no codec preferences, no settings), one in each
 * side's browser, each sending its fake microphone (and camera, when asked)
 * to the other. The offer and answer, each with every candidate gathered,
 * are handed over by this process: no server, no app. The microphone is
 * opened as Parley opens it with noise suppression Off (echo cancellation
 * and gain control on), which lab-calls.ts sets in Parley: noise suppression
 * reshapes the tones (bench:denoise measures it), and the two calls are to
 * differ only in their connection.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare pair</title></head><body></body></html>';

export interface BarePair {
  /** The side whose audio is measured as received: the callee's page. */
  receiver: Page;
  sender: Page;
  close(): Promise<void>;
}

/** A blank page of its own context at `origin` (a secure origin for the browser's flags), served by the test itself. */
async function blankPage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['microphone', 'camera'] });
  const page = await context.newPage();
  const url = `${origin}/bare-pair`;
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGE }));
  await page.goto(url);
  return { context, page };
}

/** In the page: a peer connection with the microphone (and camera) on it, its remote audio played. Gathers, then returns its description. */
function prepare(page: Page, video: boolean, remote: RTCSessionDescriptionInit | null): Promise<RTCSessionDescriptionInit> {
  return page.evaluate(
    async ({ video, remote }) => {
      const w = window as unknown as { __pcs: RTCPeerConnection[]; __stream: MediaStream; __audio: HTMLAudioElement };
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, autoGainControl: true, noiseSuppression: false }, video });
      const pc = new RTCPeerConnection();
      w.__pcs = [pc];
      w.__stream = stream;
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.ontrack = ({ track, streams }) => {
        if (track.kind !== 'audio') return;
        const el = new Audio();
        el.autoplay = true;
        el.srcObject = streams[0] ?? new MediaStream([track]);
        w.__audio = el;
      };
      const gathered = new Promise<void>((resolve) => {
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === 'complete') resolve();
        };
      });
      if (remote) await pc.setRemoteDescription(remote);
      await pc.setLocalDescription();
      await gathered;
      return pc.localDescription!.toJSON();
    },
    { video, remote },
  );
}

/** The sender's browser calls the receiver's: connected when this returns. */
export async function startBarePair(senderBrowser: Browser, receiverBrowser: Browser, origin: string, video: boolean): Promise<BarePair> {
  const a = await blankPage(senderBrowser, origin);
  const b = await blankPage(receiverBrowser, origin);
  const offer = await prepare(a.page, video, null);
  const answer = await prepare(b.page, video, offer);
  await a.page.evaluate((answer) => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs[0]!.setRemoteDescription(answer), answer);
  for (const page of [a.page, b.page]) {
    await page.waitForFunction(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs[0]?.connectionState === 'connected', undefined, { timeout: 15_000 });
  }
  return {
    sender: a.page,
    receiver: b.page,
    async close() {
      for (const { page, context } of [a, b]) {
        await page
          .evaluate(() => {
            const w = window as unknown as { __pcs: RTCPeerConnection[]; __stream: MediaStream };
            for (const pc of w.__pcs) pc.close();
            for (const t of w.__stream.getTracks()) t.stop();
          })
          .catch(() => undefined);
        await context.close();
      }
    },
  };
}
