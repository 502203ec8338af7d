/** This user's call history and the count of calls missed since they last looked. */
import type { HistoryEntry } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { mergeHistory } from './history-view.js';

export class CallHistory {
  entries = $state<HistoryEntry[]>([]);
  missed = $state(0);
  /** The first page of this session has arrived. */
  loaded = $state(false);

  constructor(private readonly link: SignalingLink) {}

  async load(): Promise<void> {
    const res = await this.link.request('history:list', { limit: 50 });
    if (!res.ok) return;
    this.entries = mergeHistory([], res.calls);
    this.loaded = true;
  }

  /** The user looked at the history: missed calls are seen. */
  async markSeen(): Promise<void> {
    if (this.missed === 0) return;
    const res = await this.link.request('history:seen', {});
    if (res.ok) this.missed = 0;
  }

  clear(): void {
    this.entries = [];
    this.missed = 0;
    this.loaded = false;
  }
}
