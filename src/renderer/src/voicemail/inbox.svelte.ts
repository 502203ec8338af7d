/**
 * The signed-in user's voicemail: the list (unheard first), the unheard
 * count every device agrees on (`voicemail:new`, `voicemail:unheard`), the
 * audio of each message fetched once per session as a blob URL (so the
 * player seeks without asking the server again), and what each action does.
 */
import type { VoicemailMessage } from 'parley-server/protocol';
import { SvelteMap } from 'svelte/reactivity';
import type { SignalingLink } from '../connection/link.js';
import { logger } from '../lib/log.js';
import { VoicemailError, type VoicemailApi } from './voicemail-api.js';

const log = logger('voicemail');

export interface InboxDeps {
  api: VoicemailApi;
  link: SignalingLink;
  /** A message arrived now (this device was connected): tell the person. */
  arrived(message: VoicemailMessage): void;
}

/** Unheard first, then newest first: as the server lists them. */
const inOrder = (a: VoicemailMessage, b: VoicemailMessage) => Number(a.heard) - Number(b.heard) || b.at - a.at;

export class VoicemailInbox {
  messages = $state.raw<VoicemailMessage[]>([]);
  unheard = $state(0);
  loaded = $state(false);
  /** Why the list or an action failed, in words; null once something worked. */
  problem = $state<string | null>(null);
  /** The newest message that arrived while connected, for the desktop's notification. */
  latest = $state.raw<VoicemailMessage | null>(null);
  /** The message opened in the list (its player showing); kept here so a window resized across layouts keeps it open. */
  selected = $state<string | null>(null);
  readonly #urls = new SvelteMap<string, string>();
  readonly #off: (() => void)[] = [];

  readonly #deps: InboxDeps;

  constructor(deps: InboxDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#off.push(
      this.#deps.link.on('voicemail:new', ({ message, unheard }) => {
        this.messages = [message, ...this.messages.filter((m) => m.id !== message.id)].sort(inOrder);
        this.unheard = unheard;
        this.latest = message;
        this.#deps.arrived(message);
      }),
      this.#deps.link.on('voicemail:unheard', ({ unheard }) => {
        this.unheard = unheard;
      }),
    );
  }

  async load(): Promise<void> {
    await this.#attempt(async () => {
      const list = await this.#deps.api.list();
      this.messages = list.messages;
      this.unheard = list.unheard;
      this.loaded = true;
    });
  }

  /** The audio URL of a message fetched already (audioUrl), or undefined. */
  urlOf(id: string): string | undefined {
    return this.#urls.get(id);
  }

  /** Opens a message (or closes it, when it is open), fetching its audio. */
  async select(id: string): Promise<void> {
    this.selected = this.selected === id ? null : id;
    if (this.selected !== null) await this.audioUrl(id);
  }

  /** The message's audio as a URL the page can play and download, fetched once. */
  async audioUrl(id: string): Promise<string | null> {
    const known = this.#urls.get(id);
    if (known) return known;
    let url: string | null = null;
    await this.#attempt(async () => {
      url = URL.createObjectURL(await this.#deps.api.audio(id));
      this.#urls.set(id, url);
    });
    return url;
  }

  async markHeard(id: string): Promise<void> {
    const message = this.messages.find((m) => m.id === id);
    if (!message || message.heard) return;
    await this.#attempt(async () => {
      await this.#deps.api.markHeard(id);
      this.messages = this.messages.map((m) => (m.id === id ? { ...m, heard: true } : m)).sort(inOrder);
      this.unheard = this.messages.filter((m) => !m.heard).length;
    });
  }

  async remove(id: string): Promise<void> {
    await this.#attempt(async () => {
      await this.#deps.api.remove(id);
      this.messages = this.messages.filter((m) => m.id !== id);
      this.unheard = this.messages.filter((m) => !m.heard).length;
      this.#forget(id);
    });
  }

  /** Signed out: nothing of this account's voicemail stays in the page. */
  clear(): void {
    for (const id of [...this.#urls.keys()]) this.#forget(id);
    this.messages = [];
    this.unheard = 0;
    this.loaded = false;
    this.latest = null;
    this.selected = null;
    this.problem = null;
  }

  dispose(): void {
    for (const off of this.#off.splice(0)) off();
    this.clear();
  }

  #forget(id: string): void {
    const url = this.#urls.get(id);
    if (url) URL.revokeObjectURL(url);
    this.#urls.delete(id);
  }

  async #attempt(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.problem = null;
    } catch (err) {
      if (!(err instanceof VoicemailError)) throw err;
      log.warn('a voicemail request failed', err.code);
      this.problem = err.message;
    }
  }
}
