/**
 * The current call's chat as the app shows it: every message sent and
 * received, in order, kept in memory only (gone when the call ends), an
 * unread count while the panel is closed, and one callback the first time
 * anyone chats, so the call's history can note that chat happened (the
 * server learns only that). Made for any number of peers: a message goes to
 * every attached peer's channel. Files sent and received are entries too
 * (file-transfers.svelte.ts).
 */
import { DEFAULT_SETTINGS } from '../../settings/settings.js';
import { chatText, newChatId, type ChatChannel, type Delivery } from './chat.js';
import { fileRules, type FileRules } from './file-consent.js';
import { FileTransfers, type FileItem } from './file-transfers.svelte.js';

/**
 * One's own message: waiting for receipts, acknowledged by every peer, or not
 * by some; `unconfirmed`: this window reloaded while it waited (its receipts
 * went to the connection that closed), so nobody here knows.
 */
export type DeliveryState = 'sending' | 'delivered' | 'failed' | 'unconfirmed';

export interface ChatEntry {
  id: number;
  /** The sender's display name; this side's own messages say `mine`. */
  from: string;
  mine: boolean;
  text: string;
  /** When it was sent, by the sender's clock (display only). */
  sentAt: number;
  /** One's own messages only. */
  delivery?: DeliveryState;
  /** Who did not acknowledge it, when it was sent to several peers and some did. */
  missing?: string[];
  /** A file instead of text (`text` is then empty). */
  file?: FileItem;
}

interface Outgoing {
  entryId: number;
  waiting: Set<ChatChannel>;
  peers: number;
  failed: string[];
}

/** Messages kept per call; the oldest go first. */
export const CHAT_HISTORY_LIMIT = 500;

export class ChatLog {
  entries = $state<ChatEntry[]>([]);
  open = $state(false);
  unread = $state(0);
  /** People a message or file would go to now. */
  peers = $state(0);
  /** Why this call cannot carry chat (a call on the SFU), said in the panel; null when it can. */
  unavailable = $state<string | null>(null);
  readonly files: FileTransfers;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; `entries` is what is rendered
  readonly #channels = new Map<ChatChannel, string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; `entries` is what is rendered
  readonly #outgoing = new Map<string, Outgoing>();
  #nextId = 1;
  #happened = false;

  readonly #onFirst: () => void;

  /**
   * `onFirst`: the first message of the call, either way; `files`: the
   * largest file to send or receive and the largest taken without asking
   * (the settings' defaults unless given); `fileCap`: the files and bytes
   * taken from the peers in one call (CALL_FILE_CAP unless a test says).
   */
  constructor(
    onFirst: () => void,
    files: FileRules = fileRules(() => DEFAULT_SETTINGS),
    fileCap?: { files: number; bytes: number },
  ) {
    this.#onFirst = onFirst;
    this.files = new FileTransfers({ limit: () => files.limit(), autoAccept: () => files.autoAccept(), add: (from, file, sentAt) => void this.#add(from, file.mine, '', sentAt, file), ...(fileCap && { cap: fileCap }) });
  }

  /** Anyone chatted in this call. */
  get chatted(): boolean {
    return this.#happened;
  }

  /** Tells the server again that this call had a chat (the first note may have been lost offline). */
  noteAgain(): void {
    if (this.#happened) this.#onFirst();
  }

  attach(channel: ChatChannel, peer: string): void {
    this.#channels.set(channel, peer);
    channel.onMessage((m) => this.#add(peer, false, m.text, m.sentAt));
    channel.onDelivery((id, delivery) => this.#delivered(channel, id, delivery));
    this.files.attach(channel.files, peer);
    this.peers = this.#channels.size;
  }

  detach(channel: ChatChannel): void {
    channel.onMessage(null);
    channel.onDelivery(null);
    const peer = this.#channels.get(channel);
    // A peer gone with messages still unacknowledged: they are not delivered to it.
    if (peer !== undefined) for (const [id, out] of this.#outgoing) if (out.waiting.has(channel)) this.#delivered(channel, id, 'failed');
    this.#channels.delete(channel);
    this.files.detach(channel.files);
    this.peers = this.#channels.size;
  }

  /** Sends to every peer; false when there is nothing to send or nobody to send it to. */
  send(input: string): boolean {
    const text = chatText(input);
    if (text === null || this.#channels.size === 0) return false;
    const sentAt = Date.now();
    const id = newChatId();
    const entryId = this.#add('You', true, text, sentAt);
    const channels = [...this.#channels.keys()];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; `entries` is what is rendered
    this.#outgoing.set(id, { entryId, waiting: new Set(channels), peers: channels.length, failed: [] });
    for (const channel of channels) channel.send(text, sentAt, id);
    return true;
  }

  /** Sends a file to every peer; false with nobody to send it to. */
  sendFile(file: File): boolean {
    return this.files.send(file);
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.unread = 0;
  }

  /**
   * What the chat showed before this window reloaded (kept-chat.ts), put back
   * ahead of anything new; it counts as chat having happened in this call.
   */
  restore(entries: Omit<ChatEntry, 'id'>[], unread: number, open: boolean): void {
    const restored = entries.map((e): ChatEntry => ({ ...e, id: this.#nextId++ }));
    this.files.restored(restored.flatMap((e) => (e.file ? [e.file] : [])));
    this.#keep([...restored, ...this.entries]);
    this.open = open;
    this.unread = open ? 0 : this.unread + unread;
    if (restored.length > 0) this.#happened = true;
  }

  /** The call is over: the messages are forgotten. */
  reset(): void {
    for (const channel of this.#channels.keys()) {
      channel.onMessage(null);
      channel.onDelivery(null);
    }
    this.#channels.clear();
    this.files.reset();
    this.peers = 0;
    this.unavailable = null;
    this.#outgoing.clear();
    this.entries = [];
    this.unread = 0;
    this.open = false;
    this.#happened = false;
  }

  /** A receipt came from `channel`'s peer, or did not in time. */
  #delivered(channel: ChatChannel, id: string, delivery: Delivery): void {
    const out = this.#outgoing.get(id);
    if (!out?.waiting.delete(channel)) return;
    if (delivery === 'failed') out.failed.push(this.#channels.get(channel) ?? '');
    if (out.waiting.size === 0) this.#outgoing.delete(id);
    const state: DeliveryState = out.failed.length > 0 ? 'failed' : out.waiting.size > 0 ? 'sending' : 'delivered';
    // Named only when some of several peers got it: with one peer "Not delivered" says it all.
    const missing = out.failed.length > 0 && out.failed.length < out.peers ? [...out.failed] : undefined;
    this.entries = this.entries.map((e) => (e.id === out.entryId ? { ...e, delivery: state, ...(missing && { missing }) } : e));
  }

  /** Shows the newest {@link CHAT_HISTORY_LIMIT} entries; files among those dropped are forgotten (their URLs revoked). */
  #keep(entries: ChatEntry[]): void {
    const dropped = entries.length > CHAT_HISTORY_LIMIT ? entries.slice(0, -CHAT_HISTORY_LIMIT) : [];
    this.entries = dropped.length > 0 ? entries.slice(-CHAT_HISTORY_LIMIT) : entries;
    for (const entry of dropped) if (entry.file) this.files.forget(entry.file);
  }

  #add(from: string, mine: boolean, text: string, sentAt: number, file?: FileItem): number {
    const id = this.#nextId++;
    const entry: ChatEntry = { id, from, mine, text, sentAt, ...(file ? { file } : mine && { delivery: 'sending' as const }) };
    this.#keep([...this.entries, entry]);
    if (!mine && !this.open) this.unread += 1;
    if (!this.#happened) {
      this.#happened = true;
      this.#onFirst();
    }
    return id;
  }
}
