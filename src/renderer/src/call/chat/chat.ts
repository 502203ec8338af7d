/**
 * In-call chat with one peer: a data channel on the call's own peer
 * connection, so messages go peer to peer and the server never sees them.
 *
 * The channel is negotiated (`negotiated: true, id: 0`): both sides make it
 * when their CallSession is made, it rides in the first offer, and neither
 * waits for the other to announce it. It is reliable and ordered; each
 * message also carries a sequence number, so a duplicate or a message from
 * a misbehaving peer is dropped. Messages sent before the channel opens wait
 * for it. Every message is validated: JSON, known fields, bounded text.
 */
import { z } from 'zod/mini';
import { logger } from '../../lib/log.js';

const log = logger('chat');

/** Characters in one message. */
export const MAX_CHAT_TEXT = 2000;
/** Characters of one message on the wire: the text (escaped at most six-fold in JSON) and the envelope. */
const MAX_WIRE = MAX_CHAT_TEXT * 6 + 200;

export const chatWireSchema = z.strictObject({
  type: z.literal('chat'),
  seq: z.int().check(z.positive()),
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_TEXT)),
  sentAt: z.int().check(z.nonnegative()),
});
export type ChatWire = z.infer<typeof chatWireSchema>;

/** A message as typed: trimmed, not empty, not too long; null when there is nothing to send. */
export function chatText(input: string): string | null {
  const text = input.trim();
  return text.length > 0 && text.length <= MAX_CHAT_TEXT ? text : null;
}

/** Parses one message from the peer; null (logged) when it is not a valid chat message. */
export function parseChatWire(data: unknown): ChatWire | null {
  if (typeof data !== 'string' || data.length > MAX_WIRE) return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = chatWireSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export class ChatChannel {
  private readonly channel: RTCDataChannel;
  private nextSeq = 1;
  private lastSeq = 0;
  /** Sent before the channel opened. */
  private outbox: string[] = [];
  private listener: ((message: ChatWire) => void) | null = null;

  constructor(pc: RTCPeerConnection) {
    this.channel = pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    this.channel.onopen = () => {
      for (const data of this.outbox.splice(0)) this.channel.send(data);
    };
    this.channel.onmessage = ({ data }) => this.receive(data);
  }

  /** Who hears the peer's messages (one listener: the app's chat log). */
  onMessage(fn: ((message: ChatWire) => void) | null): void {
    this.listener = fn;
  }

  /** Sends a message already checked with `chatText`; returns what was sent. */
  send(text: string, sentAt = Date.now()): ChatWire {
    const message: ChatWire = { type: 'chat', seq: this.nextSeq++, text, sentAt };
    const data = JSON.stringify(message);
    if (this.channel.readyState === 'open') this.channel.send(data);
    else if (this.channel.readyState === 'connecting') this.outbox.push(data);
    else log.warn('chat channel closed: message not sent');
    return message;
  }

  close(): void {
    this.listener = null;
    this.outbox = [];
    this.channel.onopen = null;
    this.channel.onmessage = null;
    this.channel.close();
  }

  private receive(data: unknown): void {
    const message = parseChatWire(data);
    if (!message) {
      log.warn('dropped a malformed chat message');
      return;
    }
    if (message.seq <= this.lastSeq) {
      log.warn('dropped a repeated chat message', message.seq);
      return;
    }
    if (message.seq !== this.lastSeq + 1) log.warn(`chat messages ${this.lastSeq + 1}–${message.seq - 1} never came`);
    this.lastSeq = message.seq;
    this.listener?.(message);
  }
}
