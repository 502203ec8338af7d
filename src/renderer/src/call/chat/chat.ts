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
 *
 * Version 2 (the current one) stamps each message `v: 2` and an `id`, and the
 * receiver answers each with a receipt `{ v: 2, type: 'ack', id }`. A message
 * with no receipt within ACK_TIMEOUT_MS, or still waiting when the channel
 * closes, is reported not delivered. Version 1 messages (no `v`, no `id`:
 * older Parley) are still accepted, and get no receipt, since an older peer
 * would drop it as malformed. From version 2 on, fields a receiver does not
 * know are ignored, and so is a message of a type it does not know, so later
 * versions can add to the schema.
 *
 * Files ride beside the text: the messages about a file are version 2 types
 * of this channel, its bytes go on a channel of their own (file-wire.ts,
 * file-link.ts). A Parley from before files ignores those types, so the
 * sender hears nothing back and tells its user the peer cannot receive files.
 */
import { z } from 'zod/mini';
import { logger } from '../../lib/log.js';
import { ANSWERED_WORD, isAnsweredWord } from '../answer-word.js';
import { FileLink } from './file-link.js';
import { parseFileControl } from './file-wire.js';
import { parseFrame } from './frame-json.js';

const log = logger('chat');

/** Characters in one message. */
export const MAX_CHAT_TEXT = 2000;
/** Characters of one message on the wire: the text (escaped at most six-fold in JSON) and the envelope. */
const MAX_WIRE = MAX_CHAT_TEXT * 6 + 200;

/** The version of the chat schema this side speaks. */
export const CHAT_VERSION = 2;
/** A message without a receipt this long after it was sent is not delivered. */
export const ACK_TIMEOUT_MS = 8000;

const text = z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_TEXT));
const seq = z.int().check(z.positive());
const sentAt = z.int().check(z.nonnegative());
const id = z.string().check(z.minLength(1), z.maxLength(64));
const version = z.int().check(z.gte(CHAT_VERSION));

/** Version 1 (older Parley): exactly these fields. */
export const chatWireV1Schema = z.strictObject({ type: z.literal('chat'), seq, text, sentAt });
/** Version 2 and later: a message with an id to acknowledge. */
export const chatWireSchema = z.object({ v: version, type: z.literal('chat'), id, seq, text, sentAt });
/** The receipt for one message. */
export const chatAckSchema = z.object({ v: version, type: z.literal('ack'), id });

export type ChatWireV1 = z.infer<typeof chatWireV1Schema>;
export type ChatWire = z.infer<typeof chatWireSchema>;
export type ChatAck = z.infer<typeof chatAckSchema>;
/** What arrives: a message (of either version) or a receipt. */
export type ChatInbound = ChatWire | ChatWireV1 | ChatAck;
export type Delivery = 'delivered' | 'failed';

/** A message as typed: trimmed, not empty, not too long; null when there is nothing to send. */
export function chatText(input: string): string | null {
  const text = input.trim();
  return text.length > 0 && text.length <= MAX_CHAT_TEXT ? text : null;
}

/** Parses one message from the peer; null when it is neither a valid chat message nor a receipt. */
export function parseChatWire(data: unknown): ChatInbound | null {
  return parseFrame(data, MAX_WIRE, [chatWireSchema, chatAckSchema, chatWireV1Schema]);
}

/** A message id unique enough for one call. */
let idCount = 0;
export function newChatId(): string {
  return `${Date.now().toString(36)}-${(++idCount).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export class ChatChannel {
  /** Files to and from this peer, on their own channel of the same connection. */
  readonly files: FileLink;
  readonly #channel: RTCDataChannel;
  #nextSeq = 1;
  #lastSeq = 0;
  /** Sent before the channel opened. */
  #outbox: string[] = [];
  #listener: ((message: ChatWire | ChatWireV1) => void) | null = null;
  #deliveryListener: ((id: string, delivery: Delivery) => void) | null = null;
  #answeredListener: (() => void) | null = null;
  /** Messages sent and not acknowledged yet, with their deadlines. */
  readonly #unacked = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(pc: RTCPeerConnection) {
    this.#channel = pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    this.#channel.onopen = () => {
      for (const data of this.#outbox.splice(0)) this.#channel.send(data);
    };
    this.#channel.onmessage = ({ data }) => this.#receive(data);
    this.#channel.onclose = () => this.#failAll();
    this.files = new FileLink(pc, (message) => this.#sendData(JSON.stringify(message)));
  }

  /** Who hears the peer's messages (one listener: the app's chat log). */
  onMessage(fn: ((message: ChatWire | ChatWireV1) => void) | null): void {
    this.#listener = fn;
  }

  /** Who hears whether each message sent was delivered (a receipt came) or not. */
  onDelivery(fn: ((id: string, delivery: Delivery) => void) | null): void {
    this.#deliveryListener = fn;
  }

  /** Who hears the callee's answered word (answer-word.ts): the caller's session. */
  onAnswered(fn: (() => void) | null): void {
    this.#answeredListener = fn;
  }

  /** Says this side's user answered (answer-word.ts): at once if the channel is open, else when it opens. */
  sendAnswered(): void {
    this.#sendData(ANSWERED_WORD);
  }

  /** Sends a message already checked with `chatText`; returns what was sent. */
  send(text: string, sentAt = Date.now(), id = newChatId()): ChatWire {
    const message: ChatWire = { v: CHAT_VERSION, type: 'chat', id, seq: this.#nextSeq++, text, sentAt };
    if (!this.#sendData(JSON.stringify(message))) {
      log.warn('chat channel closed: message not sent');
      queueMicrotask(() => this.#deliveryListener?.(id, 'failed'));
      return message;
    }
    this.#unacked.set(
      id,
      setTimeout(() => this.#settle(id, 'failed'), ACK_TIMEOUT_MS),
    );
    return message;
  }

  close(): void {
    this.files.close();
    this.#failAll();
    this.#listener = null;
    this.#deliveryListener = null;
    this.#answeredListener = null;
    this.#outbox = [];
    this.#channel.onopen = null;
    this.#channel.onmessage = null;
    this.#channel.onclose = null;
    this.#channel.close();
  }

  /** Sends now, or once the channel opens; false when it has closed. */
  #sendData(data: string): boolean {
    if (this.#channel.readyState === 'open') this.#channel.send(data);
    else if (this.#channel.readyState === 'connecting') this.#outbox.push(data);
    else return false;
    return true;
  }

  #settle(id: string, delivery: Delivery): void {
    const timer = this.#unacked.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#unacked.delete(id);
    this.#deliveryListener?.(id, delivery);
  }

  #failAll(): void {
    for (const id of [...this.#unacked.keys()]) this.#settle(id, 'failed');
  }

  #receive(data: unknown): void {
    const message = parseChatWire(data);
    if (!message) {
      const file = parseFileControl(data);
      if (file) this.files.handle(file);
      else if (isAnsweredWord(data)) this.#answeredListener?.();
      else log.warn('dropped a malformed chat message');
      return;
    }
    if (message.type === 'ack') {
      this.#settle(message.id, 'delivered');
      return;
    }
    // A receipt for every version 2 message, repeats included: the sender may not have had the first.
    if ('v' in message && this.#channel.readyState === 'open') {
      const ack: ChatAck = { v: CHAT_VERSION, type: 'ack', id: message.id };
      this.#channel.send(JSON.stringify(ack));
    }
    if (message.seq <= this.#lastSeq) {
      log.warn('dropped a repeated chat message', message.seq);
      return;
    }
    if (message.seq !== this.#lastSeq + 1) log.warn(`chat messages ${this.#lastSeq + 1}–${message.seq - 1} never came`);
    this.#lastSeq = message.seq;
    this.#listener?.(message);
  }
}
