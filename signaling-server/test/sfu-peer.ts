/**
 * A participant of a call on the SFU made of werift (pure-TypeScript
 * WebRTC) peer connections, speaking only the Parley protocol: it publishes
 * an Opus track whose every packet names its sender (a tone of its own,
 * as far as the SFU can tell: it forwards packets, never decodes them), and
 * answers each `sfu:offer` on its receiving connection, counting the packets
 * that arrive on each track by the publisher the offer named for it. Given
 * a real `tone` (see opus-tone.ts), it sends its Opus packets in a loop
 * instead, each with the tone's level in the audio level header as a
 * browser's would be, so a browser subscribed to it hears it and shows it
 * speaking. With `video`, it also publishes a camera: small VP8 key frames,
 * counted apart on the receiving side; `shareScreen` adds a screen the same
 * way, by publishing again (counted apart too, by the source the offer names).
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, useAudioLevelIndication, type Extension } from 'werift';
import type { OpusTone } from './opus-tone.js';
import { replySchemas, type ClientEvent, type SfuStream } from '../src/protocol/index.js';
import { expectOk, type Device } from './harness.js';

/** The reply as the app's schema reads it, unchanged: the SFU's replies are checked here (server-messages.test.ts runs without Janus). */
function schemaChecked<T>(event: ClientEvent, reply: T): T {
  const read = replySchemas[event].safeParse(reply);
  if (!read.success || JSON.stringify(read.data) !== JSON.stringify(reply)) throw new Error(`${event}: the reply does not match its schema`);
  return reply;
}

const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 });
// A browser in the room publishes a camera m-line too: the subscribe offer then holds video (VP8, the room's first codec), never sent here.
const vp8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96 });
// Janus offers host candidates on every interface; ours are on this machine too.
export const peerConfig = () => ({
  codecs: { audio: [opus()], video: [vp8()] },
  // The audio level of each packet (RFC 6464), as browsers send it: Janus forwards it to subscribers.
  headerExtensions: { audio: [useAudioLevelIndication()] },
  iceAdditionalHostAddresses: ['127.0.0.1'],
});

/** The tag every packet a publisher sends starts with (after an Opus TOC byte). */
const TAG = 'parley-tone:';

export interface Received {
  packets: number;
  video: number;
  screen: number;
  bytes: number;
  taggedBy: Set<string>;
  delays: number[];
}

/** How many delays an entry keeps. */
const DELAYS_KEPT = 3000;

export interface SfuPeer {
  /**
   * Packets received so far, by the publisher whose track they came on (from
   * sfu:offer), and by the tag inside them; `video`: of those, the video
   * packets (camera and screen); `screen`: the screen's; `bytes`: their payload bytes; `delays`: for tagged packets, the
   * ms each took from its sender's send (both ends in this process; the last 3,000).
   */
  received: Map<string, Received>;
  offers: number;
  /** Sends silence (Opus silence frames, the level header at 127) instead of its tone or tags, or (false) goes back to them. */
  setSilent(silent: boolean): void;
  /** Adds a shared screen (a video m-line, published again with its mid as `screenMid`) and sends frames on it. */
  shareScreen(): Promise<void>;
  close(): void;
}

/** Waits until the connection has gathered its candidates: its description then holds them (no trickle needed). */
export async function gathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const sub = pc.iceGatheringStateChange.subscribe((state) => {
        if (state !== 'complete') return;
        sub.unSubscribe();
        resolve();
      });
    });
  }
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('no local description');
  return sdp;
}

export interface SfuPeerOptions {
  /** A real Opus tone, sent in a loop instead of the tagged packets. */
  tone?: OpusTone;
  /** Publishes a camera too. */
  video?: boolean;
}

/**
 * A VP8 key frame of 320×180 as one RTP payload: the payload descriptor
 * (start of partition), the frame tag (key frame, shown) and the key frame's
 * start code and size. The SFU reads no further: it forwards, never decodes.
 */
const VP8_KEY_FRAME = Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00, ...Array<number>(32).fill(0)]);

/** The payload of packet number `seq`: the next packet of the tone, or a tag naming `username`. */
function payloadSource(username: string, tone: OpusTone | undefined): (seq: number) => Buffer {
  const packets = tone?.packets ?? [];
  if (packets.length > 0) return (seq) => packets[seq % packets.length] ?? Buffer.alloc(0);
  return (seq) => Buffer.concat([Buffer.from([0xf8]), Buffer.from(`${TAG}${username}:${seq}:${performance.now().toFixed(3)}`, 'latin1')]);
}

/** The audio level header of a tone's packets (voice activity set), if the SFU took that extension; none for tagged packets. */
export function levelExtensions(id: number | undefined, tone: OpusTone | undefined): Extension[] {
  if (id === undefined || !tone) return [];
  return [{ id, payload: Buffer.from([0x80 | (tone.dBov & 0x7f)]) }];
}

/** An Opus frame of 20 ms of silence (CELT, fullband), as browsers send while nothing is heard. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
/** The audio level header of silence: 127 (-127 dBov), no voice activity. */
function silenceExtensions(id: number | undefined): Extension[] {
  return id === undefined ? [] : [{ id, payload: Buffer.from([0x7f]) }];
}

export async function joinSfu(device: Device, callId: string, options: SfuPeerOptions = {}): Promise<SfuPeer> {
  const username = device.ready.user.username;
  const received: SfuPeer['received'] = new Map();
  const peer: SfuPeer = { received, offers: 0, setSilent: () => undefined, shareScreen: () => Promise.resolve(), close: () => undefined };

  // Receiving: one connection, renegotiated by every sfu:offer.
  const sub = new RTCPeerConnection(peerConfig());
  let streams: SfuStream[] = [];
  // werift announces a track again at each renegotiation: a packet then reaches two listeners, and is counted once.
  const lastSeq = new Map<number, number>();
  sub.ontrack = ({ track, transceiver }) => {
    track.onReceiveRtp.subscribe((rtp) => {
      if (lastSeq.get(rtp.header.ssrc) === rtp.header.sequenceNumber) return;
      lastSeq.set(rtp.header.ssrc, rtp.header.sequenceNumber);
      const stream = streams.find((s) => s.mid === transceiver.mid);
      const from = stream?.username ?? `mid ${transceiver.mid ?? '?'}`;
      const entry = received.get(from) ?? { packets: 0, video: 0, screen: 0, bytes: 0, taggedBy: new Set<string>(), delays: [] };
      entry.packets++;
      entry.bytes += rtp.payload.length;
      if (track.kind === 'video') entry.video++;
      if (stream?.source === 'screen') entry.screen++;
      const text = rtp.payload.subarray(1).toString('latin1');
      if (text.startsWith(TAG)) {
        const [sender, , sentAt] = text.slice(TAG.length).split(':');
        entry.taggedBy.add(sender ?? '');
        if (sentAt !== undefined) entry.delays.push(performance.now() - Number(sentAt));
        if (entry.delays.length > DELAYS_KEPT) entry.delays.shift();
      }
      received.set(from, entry);
    });
  };
  // Offers are answered one at a time, in order.
  let answering = Promise.resolve();
  const onOffer = (p: { callId: string; description: { type: 'offer'; sdp: string }; streams: SfuStream[] }) => {
    if (p.callId !== callId) return;
    answering = answering.then(async () => {
      streams = p.streams;
      await sub.setRemoteDescription(p.description);
      await sub.setLocalDescription(await sub.createAnswer());
      const ack = schemaChecked('sfu:answer', await device.emit('sfu:answer', { callId, description: { type: 'answer', sdp: await gathered(sub) } }));
      // An offer Janus made as the call ended (the other side hung up): the server has taken this device off the SFU meanwhile, and says so.
      if (!ack.ok && ack.code === 'not_in_call') return;
      expectOk(ack);
      peer.offers++;
    }).catch((err: unknown) => {
      // An offer that came as the test ended: its device disconnected with the answer in flight, which nothing awaits.
      if (!device.socket.disconnected) throw err;
    });
  };
  device.socket.on('sfu:offer', onOffer);

  // Publishing: one Opus track, a packet every 20 ms.
  const pub = new RTCPeerConnection(peerConfig());
  const track = new MediaStreamTrack({ kind: 'audio' });
  const sending = pub.addTransceiver(track, { direction: 'sendonly' });
  const camera = options.video === true ? new MediaStreamTrack({ kind: 'video' }) : null;
  if (camera) pub.addTransceiver(camera, { direction: 'sendonly' });
  await pub.setLocalDescription(await pub.createOffer());
  const reply = expectOk(schemaChecked('sfu:publish', await device.emit('sfu:publish', { callId, description: { type: 'offer', sdp: await gathered(pub) } })));
  await pub.setRemoteDescription(reply.description);
  // The description held every candidate: say so on the publish connection (exercises sfu:candidate).
  expectOk(schemaChecked('sfu:candidate', await device.emit('sfu:candidate', { callId, connection: 'publish', candidate: null })));
  const sound = payloadSource(username, options.tone);
  const levelId = sending.headerExtensions.find((e) => e.uri === useAudioLevelIndication().uri)?.id;
  const loud = levelExtensions(levelId, options.tone);
  let payload = sound;
  let extensions = loud;
  peer.setSilent = (silent) => {
    payload = silent ? () => OPUS_SILENCE : sound;
    extensions = silent ? silenceExtensions(levelId) : loud;
  };
  let screen: MediaStreamTrack | null = null;
  peer.shareScreen = async () => {
    const shared = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pub.addTransceiver(shared, { direction: 'sendonly' });
    await pub.setLocalDescription(await pub.createOffer());
    const description = { type: 'offer' as const, sdp: await gathered(pub) };
    const again = expectOk(schemaChecked('sfu:publish', await device.emit('sfu:publish', { callId, description, screenMid: transceiver.mid ?? '' })));
    await pub.setRemoteDescription(again.description);
    screen = shared;
  };
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    const seq = sent & 0xffff;
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: (sent * 960) >>> 0, marker: false, extensions });
    track.writeRtp(new RtpPacket(header, payload(sent)));
    // A frame every 40 ms (25 per second), each one packet.
    const frame = () => new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: (sent / 2) & 0xffff, timestamp: (sent * 1800) >>> 0, marker: true }), VP8_KEY_FRAME);
    if (camera && sent % 2 === 0) camera.writeRtp(frame());
    if (screen && sent % 2 === 0) screen.writeRtp(frame());
  }, 20);
  peer.close = () => {
    device.socket.off('sfu:offer', onOffer);
    clearInterval(timer);
    void pub.close();
    void sub.close();
  };
  return peer;
}
