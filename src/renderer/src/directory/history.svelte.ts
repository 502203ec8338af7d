/** This user's call history and the count of calls missed since they last looked. */
import type { HistoryEntry } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';

export class CallHistory {
  entries = $state<HistoryEntry[]>([]);
  missed = $state(0);
  /** The first page of this session has arrived. */
  loaded = $state(false);

  readonly #link: SignalingLink;

  constructor(link: SignalingLink) {
    this.#link = link;
  }

  async load(): Promise<void> {
    const res = await this.#link.request('history:list', { limit: 50 });
    if (!res.ok) return;
    this.entries = mergeHistory([], res.calls);
    this.loaded = true;
  }

  /** The user looked at the history: missed calls are seen. */
  async markSeen(): Promise<void> {
    if (this.missed === 0) return;
    const res = await this.#link.request('history:seen', {});
    if (res.ok) this.missed = 0;
  }

  clear(): void {
    this.entries = [];
    this.missed = 0;
    this.loaded = false;
  }
}

/** Merges a fresh page into what is shown, newest first, without duplicates. */
export function mergeHistory(current: readonly HistoryEntry[], incoming: readonly HistoryEntry[]): HistoryEntry[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local of this merge, never rendered
  const byId = new Map(current.map((e) => [e.callId, e]));
  for (const e of incoming) byId.set(e.callId, e);
  return [...byId.values()].sort((a, b) => b.seq - a.seq);
}
