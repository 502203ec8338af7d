/**
 * The current call's chat as the app shows it: every message sent and
 * received, in order, kept in memory only (gone when the call ends), an
 * unread count while the panel is closed, and one callback the first time
 * anyone chats, so the call's history can note that chat happened (the
 * server learns only that). Made for any number of peers: a message goes to
 * every attached peer's channel.
 */
import { chatText, type ChatChannel } from './chat.js';

export interface ChatEntry {
  id: number;
  /** The sender's display name; this side's own messages say `mine`. */
  from: string;
  mine: boolean;
  text: string;
  /** When it was sent, by the sender's clock (display only). */
  sentAt: number;
}

/** Messages kept per call; the oldest go first. */
export const CHAT_HISTORY_LIMIT = 500;

export class ChatLog {
  entries = $state<ChatEntry[]>([]);
  open = $state(false);
  unread = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; `entries` is what is rendered
  private readonly channels = new Map<ChatChannel, string>();
  private nextId = 1;
  private happened = false;

  /** `onFirst`: the first message of the call, either way. */
  constructor(private readonly onFirst: () => void) {}

  /** Anyone chatted in this call. */
  get chatted(): boolean {
    return this.happened;
  }

  attach(channel: ChatChannel, peer: string): void {
    this.channels.set(channel, peer);
    channel.onMessage((m) => this.add(peer, false, m.text, m.sentAt));
  }

  detach(channel: ChatChannel): void {
    channel.onMessage(null);
    this.channels.delete(channel);
  }

  /** Sends to every peer; false when there is nothing to send or nobody to send it to. */
  send(input: string): boolean {
    const text = chatText(input);
    if (text === null || this.channels.size === 0) return false;
    const sentAt = Date.now();
    for (const channel of this.channels.keys()) channel.send(text, sentAt);
    this.add('You', true, text, sentAt);
    return true;
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.unread = 0;
  }

  /** The call is over: the messages are forgotten. */
  reset(): void {
    for (const channel of this.channels.keys()) channel.onMessage(null);
    this.channels.clear();
    this.entries = [];
    this.unread = 0;
    this.open = false;
    this.happened = false;
  }

  private add(from: string, mine: boolean, text: string, sentAt: number): void {
    const entries = [...this.entries, { id: this.nextId++, from, mine, text, sentAt }];
    this.entries = entries.length > CHAT_HISTORY_LIMIT ? entries.slice(-CHAT_HISTORY_LIMIT) : entries;
    if (!mine && !this.open) this.unread += 1;
    if (!this.happened) {
      this.happened = true;
      this.onFirst();
    }
  }
}
