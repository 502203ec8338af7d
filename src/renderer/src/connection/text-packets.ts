/**
 * Socket.IO's packets (protocol 5) in the wire format of its own parser,
 * socket.io-parser, without rebuilding binary attachments: Parley's protocol
 * is JSON, so the renderer's build leaves the default parser out
 * (electron.vite.config.ts) and its Socket.IO client takes this one
 * (signaling.ts). A message that came with attachments arrives with their
 * placeholders where the bytes were, and the protocol's schemas refuse it as
 * malformed, like any other. What the default parser would refuse throws:
 * Socket.IO closes the connection with a parse error.
 */
import { Emitter } from '@socket.io/component-emitter';
import { PacketType, type Packet } from 'socket.io-parser';

/** Event names Socket.IO keeps for itself: a server may not send them as events. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Type, attachments after a binary type, a namespace other than `/` and its comma, an acknowledgement id, the JSON. */
const TEXT_PACKET = /^(?:([0-4])|([56])(\d+)-)(?:(\/[^,]*),)?(\d*)([\s\S]*)$/;
/** Each type's digit as read: a binary event or acknowledgement (5, 6) is read as the plain one, its attachments skipped. */
const TYPES = [PacketType.CONNECT, PacketType.DISCONNECT, PacketType.EVENT, PacketType.ACK, PacketType.CONNECT_ERROR, PacketType.EVENT, PacketType.ACK] as const;
/** As the default parser: more attachments than this is a malformed packet. */
const MAX_ATTACHMENTS = 10;

export class Encoder {
  encode(packet: Packet): string[] {
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
    const data = packet.data == null ? '' : JSON.stringify(packet.data);
    return [`${packet.type}${nsp}${packet.id ?? ''}${data}`];
  }
}

const isObject = (v: unknown): boolean => Object.prototype.toString.call(v) === '[object Object]';

/** What the default parser accepts as each packet type's data. */
function validData(type: PacketType, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return isObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === 'string' || isObject(data);
    case PacketType.EVENT:
      return Array.isArray(data) && (typeof data[0] === 'number' || (typeof data[0] === 'string' && !RESERVED.has(data[0])));
    default:
      return Array.isArray(data);
  }
}

function parse(json: string, type: PacketType): unknown {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('invalid payload');
  }
  if (!validData(type, data)) throw new Error('invalid payload');
  return data;
}

export class Decoder extends Emitter<Record<string, never>, Record<string, never>, { decoded: (packet: Packet) => void }> {
  /** A packet that came with attachments, and how many of them are still to come. */
  #waiting: { packet: Packet; left: number } | null = null;

  add(chunk: unknown): void {
    if (typeof chunk !== 'string') {
      if (!this.#waiting) throw new Error('binary data outside a packet');
      if (--this.#waiting.left === 0) this.#decoded(this.#waiting.packet);
      return;
    }
    const m = this.#waiting ? null : TEXT_PACKET.exec(chunk);
    if (!m) throw new Error('malformed packet');
    const [, text, binary, attachments, nsp, id, json] = m;
    const type = TYPES[Number(text ?? binary) as 0 | 1 | 2 | 3 | 4 | 5 | 6];
    const packet: Packet = { type, nsp: nsp ?? '/' };
    if (id) packet.id = Number(id);
    // As the default parser: a packet may come without data (Socket.IO then reads none).
    if (json) packet.data = parse(json, type);
    const left = Number(attachments ?? 0);
    if (left > MAX_ATTACHMENTS || (binary && left < 1)) throw new Error('malformed packet');
    if (left > 0) this.#waiting = { packet, left };
    else this.#decoded(packet);
  }

  destroy(): void {
    this.#waiting = null;
  }

  #decoded(packet: Packet): void {
    this.#waiting = null;
    this.emitReserved('decoded', packet);
  }
}
