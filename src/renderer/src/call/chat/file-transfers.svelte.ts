/**
 * The call's files as the chat shows them. A file sent goes to every peer
 * over that peer's own connection, with a row of progress per peer; a file
 * received has one row. Progress is redrawn when its whole percent changes,
 * not for every chunk. A received file is offered for saving (an object URL)
 * only once its hash matched; everything is forgotten when the call ends.
 */
import { newChatId } from './chat.js';
import { CANCELLABLE, FINAL, type FileLink, type TransferState, type TransferUpdate } from './file-link.js';
import { safeFileName, sha256Hex } from './file-wire.js';

export interface FileRow {
  /** Which attached peer (names may repeat). */
  key: number;
  peer: string;
  state: TransferState;
  /** 0–100, whole. */
  percent: number;
  /** With `too-large`: the receiver's limit in bytes. */
  max?: number;
}

export class FileItem {
  rows = $state<FileRow[]>([]);
  /** The checked file, to save: received files only. */
  url = $state<string | null>(null);
  /** Not sent: larger than this side's own limit (bytes). */
  overLimit = $state<number | null>(null);

  constructor(
    readonly id: string,
    readonly name: string,
    readonly size: number,
    readonly mine: boolean,
    rows: FileRow[],
  ) {
    this.rows = rows;
  }

  /** Some row can still be cancelled. */
  get cancellable(): boolean {
    return this.rows.some((r) => CANCELLABLE.has(r.state));
  }

  update(key: number, update: TransferUpdate): void {
    const percent = update.bytes === undefined ? undefined : this.size === 0 ? 100 : Math.floor((update.bytes * 100) / this.size);
    const row = this.rows.find((r) => r.key === key);
    if (!row || FINAL.has(row.state)) return;
    if ((update.state === undefined || update.state === row.state) && (percent === undefined || percent === row.percent)) return;
    const next: FileRow = { ...row, ...(update.state && { state: update.state }), ...(percent !== undefined && { percent }), ...(update.max !== undefined && { max: update.max }) };
    if (next.state === 'delivered' || next.state === 'ready' || next.state === 'checking') next.percent = 100;
    this.rows = this.rows.map((r) => (r === row ? next : r));
  }
}

export interface FileTransfersDeps {
  /** The largest file to send or receive, in bytes (Settings). */
  limit(): number;
  /** A file entry for the chat log: `from` is the sender's name, 'You' for one's own. */
  add(from: string, item: FileItem, sentAt: number): void;
}

interface Peer {
  key: number;
  name: string;
  /** Files from this peer, by their id. */
  incoming: Map<string, FileItem>;
}

export class FileTransfers {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; the items' rows are what is rendered
  private readonly links = new Map<FileLink, Peer>();
  /** Ours, by id, while some row may still change. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping
  private readonly outgoing = new Map<string, FileItem>();
  private readonly urls: string[] = [];
  private nextKey = 1;
  /** Counts calls: a hash finished after the call ended sends nothing. */
  private generation = 0;

  constructor(private readonly deps: FileTransfersDeps) {}

  attach(link: FileLink, name: string): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping
    const peer: Peer = { key: this.nextKey++, name, incoming: new Map() };
    this.links.set(link, peer);
    link.listen({
      limit: () => this.deps.limit(),
      offered: (file, update) => {
        const item = new FileItem(file.id, file.name, file.size, false, [{ key: peer.key, peer: name, state: 'receiving', percent: 0 }]);
        peer.incoming.set(file.id, item);
        item.update(peer.key, update);
        this.deps.add(name, item, file.sentAt);
      },
      changed: (direction, id, update) => {
        const item = direction === 'in' ? peer.incoming.get(id) : this.outgoing.get(id);
        if (!item) return;
        item.update(peer.key, update);
        if (update.blob) {
          item.url = URL.createObjectURL(update.blob);
          this.urls.push(item.url);
        }
      },
    });
  }

  /** The peer left: what was still going to or from it did not arrive. */
  detach(link: FileLink): void {
    const peer = this.links.get(link);
    if (!peer) return;
    link.listen(null);
    this.links.delete(link);
    for (const item of [...this.outgoing.values(), ...peer.incoming.values()]) item.update(peer.key, { state: 'failed' });
  }

  /**
   * Sends a file to everyone in the call; false with nobody to send to. A
   * file over this side's own limit is shown, not sent.
   */
  send(file: File): boolean {
    if (this.links.size === 0) return false;
    const peers = [...this.links];
    const rows = peers.map(([, p]): FileRow => ({ key: p.key, peer: p.name, state: 'preparing', percent: 0 }));
    const item = new FileItem(newChatId(), safeFileName(file.name), file.size, true, rows);
    const sentAt = Date.now();
    this.deps.add('You', item, sentAt);
    const limit = this.deps.limit();
    if (file.size > limit) {
      item.overLimit = limit;
      item.rows = [];
      return true;
    }
    this.outgoing.set(item.id, item);
    void this.offer(file, item, sentAt, peers);
    return true;
  }

  /** Stops a file: one's own to everyone it is still going to, or one coming in. */
  cancel(item: FileItem): void {
    for (const [link, peer] of this.links) {
      const row = item.rows.find((r) => r.key === peer.key);
      if (!row || !CANCELLABLE.has(row.state)) continue;
      if (item.mine && row.state === 'preparing') item.update(peer.key, { state: 'cancelled' });
      else if (item.mine || peer.incoming.get(item.id) === item) link.cancel(item.id);
    }
  }

  /** The call is over: every transfer stops and every file is forgotten. */
  reset(): void {
    this.generation++;
    for (const link of this.links.keys()) link.listen(null);
    this.links.clear();
    this.outgoing.clear();
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
  }

  /** Hashes the file once, then offers it to each peer still in the call that nobody cancelled. */
  private async offer(file: File, item: FileItem, sentAt: number, peers: [FileLink, Peer][]): Promise<void> {
    const generation = this.generation;
    let sha256: string;
    try {
      sha256 = await sha256Hex(await file.arrayBuffer());
    } catch {
      for (const [, p] of peers) item.update(p.key, { state: 'failed' });
      return;
    }
    if (generation !== this.generation) return;
    for (const [link, peer] of peers) {
      if (item.rows.find((r) => r.key === peer.key)?.state !== 'preparing' || !this.links.has(link)) continue;
      link.send({ id: item.id, name: item.name, size: file.size, sha256, sentAt, data: file });
    }
  }
}
