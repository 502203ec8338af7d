/**
 * A participant of a mesh room made of werift peer connections, speaking
 * only the Parley protocol (PROTOCOL.md, "Group calls"): already in the
 * room, it is impolite toward whoever joins after it, so on `room:joined`
 * it offers them a connection of their own (`call:signal` with `to`),
 * answers any offer they make later (a browser adding its chat channel or a
 * camera), and sends its Opus tone on each connection, every 20 ms, with the
 * audio level header a browser sets. The crowd of bench:meeting's mesh
 * rooms: light enough that a room of six fits this machine beside the
 * browser measured.
 * It connects only to newcomers; the crowd's members do not connect to one
 * another, which changes nothing for the person measured.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useAudioLevelIndication } from 'werift';
import type { ServerToClientEvents } from '../src/protocol/index.js';
import { expectOk, type Device } from './harness.js';
import type { OpusTone } from './opus-tone.js';
import { gathered, levelExtensions, peerConfig } from './sfu-peer.js';

interface Link {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  levelId: number | undefined;
}

export interface MeshMember {
  /** Joins the room `name` and connects to everyone who joins after. */
  join(name: string): Promise<void>;
  /** Leaves the room (`call:hangup`) and closes every connection. */
  leave(): Promise<void>;
}

export function meshMember(device: Device, tone: OpusTone): MeshMember {
  const links = new Map<string, Link>();
  let callId = '';
  let sent = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const describe = async (to: string, pc: RTCPeerConnection) => {
    const sdp = await gathered(pc);
    const type = pc.localDescription?.type === 'answer' ? 'answer' : 'offer';
    expectOk(await device.emit('call:signal', { callId, to, description: { type, sdp } }));
  };
  const onJoined: ServerToClientEvents['room:joined'] = ({ callId: id, user }) => {
    if (id !== callId) return;
    const pc = new RTCPeerConnection(peerConfig());
    const track = new MediaStreamTrack({ kind: 'audio' });
    const sender = pc.addTransceiver(track, { direction: 'sendrecv' });
    links.set(user.username, { pc, track, levelId: undefined });
    void (async () => {
      await pc.setLocalDescription(await pc.createOffer());
      await describe(user.username, pc);
      const link = links.get(user.username);
      if (link) link.levelId = sender.headerExtensions.find((e) => e.uri === useAudioLevelIndication().uri)?.id;
    })();
  };
  const onSignal: ServerToClientEvents['call:signal'] = ({ callId: id, from, description, candidate }) => {
    const link = links.get(from);
    if (id !== callId || !link) return;
    void (async () => {
      const sdp = description?.sdp ?? '';
      if (description?.type === 'answer' || description?.type === 'offer') await link.pc.setRemoteDescription({ type: description.type, sdp });
      if (description?.type === 'offer') {
        await link.pc.setLocalDescription(await link.pc.createAnswer());
        await describe(from, link.pc);
      }
      if (candidate?.candidate) await link.pc.addIceCandidate({ candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? undefined, sdpMLineIndex: candidate.sdpMLineIndex ?? undefined });
    })();
  };

  return {
    async join(name) {
      callId = expectOk(await device.emit('room:join', { name })).callId;
      device.socket.on('room:joined', onJoined);
      device.socket.on('call:signal', onSignal);
      timer = setInterval(() => {
        sent++;
        const payload = tone.packets[sent % tone.packets.length] ?? Buffer.alloc(0);
        for (const { track, levelId } of links.values()) {
          const header = new RtpHeader({ payloadType: 111, sequenceNumber: sent & 0xffff, timestamp: (sent * 960) >>> 0, marker: false, extensions: levelExtensions(levelId, tone) });
          track.writeRtp(new RtpPacket(header, payload));
        }
      }, 20);
    },
    async leave() {
      clearInterval(timer);
      device.socket.off('room:joined', onJoined);
      device.socket.off('call:signal', onSignal);
      for (const { pc } of links.values()) void pc.close();
      links.clear();
      await device.emit('call:hangup', { callId });
    },
  };
}
