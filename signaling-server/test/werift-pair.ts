/**
 * Two werift peers connected directly on loopback, one sending a packet
 * every 20 ms that carries its send time: the baseline of the SFU
 * benchmark's delay (bench/sfu), measured the same way as through Janus
 * (sfu-peer.ts's tagged packets).
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCSessionDescription } from 'werift';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 200 ms until it holds; throws, naming `what`, after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await sleep(200);
  }
}

/** Delays of the same tagged packets between two werift peers connected directly (no SFU). */
export async function delayDirect(windowS: number): Promise<number[]> {
  const config = () => ({ codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })] }, iceAdditionalHostAddresses: ['127.0.0.1'] });
  const a = new RTCPeerConnection(config());
  const b = new RTCPeerConnection(config());
  a.onIceCandidate.subscribe((c) => c && void b.addIceCandidate(c));
  b.onIceCandidate.subscribe((c) => c && void a.addIceCandidate(c));
  const track = new MediaStreamTrack({ kind: 'audio' });
  a.addTransceiver(track, { direction: 'sendonly' });
  const delays: number[] = [];
  b.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((rtp) => delays.push(performance.now() - Number(rtp.payload.subarray(1).toString('latin1')))));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: sent & 0xffff, timestamp: (sent * 960) >>> 0 });
    track.writeRtp(new RtpPacket(header, Buffer.concat([Buffer.from([0xf8]), Buffer.from(performance.now().toFixed(3), 'latin1')])));
  }, 20);
  try {
    await until(() => delays.length > 50, 30_000, 'the direct pair connects');
    delays.length = 0;
    await sleep(windowS * 1000);
    return [...delays];
  } finally {
    clearInterval(timer);
    await a.close();
    await b.close();
  }
}

