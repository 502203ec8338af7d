/**
 * The call's files as the chat shows them. A file sent goes to every peer
 * over that peer's own connection, with a row of progress per peer; a file
 * received has one row, and waits for this side's Accept or Decline unless
 * it is small enough to be taken without asking (file-consent.ts). Progress
 * is redrawn when its whole percent changes, not for every chunk. A received
 * file is offered for saving (an object URL) only once its hash matched, and
 * revoked as soon as the chat stops showing the file (its entry dropped as
 * the oldest) or the call ends.
 */
import { newChatId } from './chat.js';
import type { FileRules } from './file-consent.js';
import type { FileLink } from './file-link.js';
import { CANCELLABLE, FINAL, type TransferState, type TransferUpdate } from './file-states.js';
import { MB, safeFileName, sha256Hex } from './file-wire.js';

/**
 * What one side takes from its peers in one call, all of them together: an
 * unsolicited flood (the audit sent 40 files of 1 MiB) stops there, while a
 * real call's sharing (a few documents, screenshots, a build or two) fits
 * well. 500 MB keeps the received files, held in memory or the browser's
 * blob store until the chat drops them, from filling the disk or RAM.
 */
export const CALL_FILE_CAP = { files: 20, bytes: 500 * MB } as const;

/** A file offered in one of these states was never taken: it does not count toward the cap. */
const NOT_TAKEN: ReadonlySet<TransferState> = new Set<TransferState>(['too-large', 'busy', 'call-full', 'declined', 'expired', 'refused', 'unsupported']);

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
  /** Each row's state in one string: what a reload keeps of the file (kept-chat.ts) changes with it, not with each percent. */
  states = $derived(this.rows.map((r) => `${r.state}:${r.max ?? ''}`).join(' '));

  constructor(
    readonly id: string,
    readonly name: string,
    readonly size: number,
    readonly mine: boolean,
    rows: FileRow[],
  ) {
    this.rows = rows;
  }

  /** Some row can still be cancelled (a file offered to this side is accepted or declined instead). */
  get cancellable(): boolean {
    return !this.awaitingAnswer && this.rows.some((r) => CANCELLABLE.has(r.state));
  }

  /** Offered to this side and waiting for its person: Accept or Decline. */
  get awaitingAnswer(): boolean {
    return !this.mine && this.rows[0]?.state === 'asking';
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

/** `limit`: the largest file to send or receive, `autoAccept`: the largest taken without asking, in bytes (Settings). */
export interface FileTransfersDeps extends FileRules {
  /** A file entry for the chat log: `from` is the sender's name, 'You' for one's own. */
  add(from: string, item: FileItem, sentAt: number): void;
  /** Files and bytes taken from the peers in one call; {@link CALL_FILE_CAP} unless a test says. */
  cap?: { files: number; bytes: number };
}

interface Peer {
  key: number;
  name: string;
  /** Files from this peer, by their id. */
  incoming: Map<string, FileItem>;
}

export class FileTransfers {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; the items' rows are what is rendered
  readonly #links = new Map<FileLink, Peer>();
  /** Ours, by id, while some row may still change. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping
  readonly #outgoing = new Map<string, FileItem>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping
  readonly #urls = new Set<string>();
  /** Items the chat no longer shows: a file that finishes after that gets no URL. */
  readonly #forgotten = new WeakSet<FileItem>();
  #nextKey = 1;
  /** Files accepted from the peers in this call, and their offered bytes (counted when accepted). */
  #taken = { files: 0, bytes: 0 };
  /** Counts calls: a hash finished after the call ended sends nothing. */
  #generation = 0;

  readonly #deps: FileTransfersDeps;

  constructor(deps: FileTransfersDeps) {
    this.#deps = deps;
  }

  attach(link: FileLink, name: string): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping
    const peer: Peer = { key: this.#nextKey++, name, incoming: new Map() };
    this.#links.set(link, peer);
    link.listen({
      limit: () => this.#deps.limit(),
      autoAccept: () => this.#deps.autoAccept(),
      fits: (size) => this.#fits(size),
      admit: (size) => {
        if (!this.#fits(size)) return false;
        this.#taken = { files: this.#taken.files + 1, bytes: this.#taken.bytes + size };
        return true;
      },
      offered: (file, update) => {
        const item = new FileItem(file.id, file.name, file.size, false, [{ key: peer.key, peer: name, state: 'receiving', percent: 0 }]);
        peer.incoming.set(file.id, item);
        item.update(peer.key, update);
        this.#deps.add(name, item, file.sentAt);
      },
      changed: (direction, id, update) => {
        const item = direction === 'in' ? peer.incoming.get(id) : this.#outgoing.get(id);
        if (!item) return;
        item.update(peer.key, update);
        if (update.blob && !this.#forgotten.has(item)) {
          item.url = URL.createObjectURL(update.blob);
          this.#urls.add(item.url);
        }
      },
    });
  }

  /** The peer left: what was still going to or from it did not arrive. */
  detach(link: FileLink): void {
    const peer = this.#links.get(link);
    if (!peer) return;
    link.listen(null);
    this.#links.delete(link);
    for (const item of [...this.#outgoing.values(), ...peer.incoming.values()]) item.update(peer.key, { state: 'failed' });
  }

  /**
   * Sends a file to everyone in the call; false with nobody to send to. A
   * file over this side's own limit is shown, not sent.
   */
  send(file: File): boolean {
    if (this.#links.size === 0) return false;
    const peers = [...this.#links];
    const rows = peers.map(([, p]): FileRow => ({ key: p.key, peer: p.name, state: 'preparing', percent: 0 }));
    const item = new FileItem(newChatId(), safeFileName(file.name), file.size, true, rows);
    const sentAt = Date.now();
    this.#deps.add('You', item, sentAt);
    const limit = this.#deps.limit();
    if (file.size > limit) {
      item.overLimit = limit;
      item.rows = [];
      return true;
    }
    this.#outgoing.set(item.id, item);
    void this.#offer(file, item, sentAt, peers);
    return true;
  }

  /** This side's person takes a file offered to it. */
  accept(item: FileItem): void {
    this.#linkOf(item)?.accept(item.id);
  }

  /** This side's person does not take a file offered to it: nothing of it is kept. */
  decline(item: FileItem): void {
    this.#linkOf(item)?.decline(item.id);
  }

  /** Stops a file: one's own to everyone it is still going to, or one coming in. */
  cancel(item: FileItem): void {
    for (const [link, peer] of this.#links) {
      const row = item.rows.find((r) => r.key === peer.key);
      if (!row || !CANCELLABLE.has(row.state)) continue;
      if (item.mine && row.state === 'preparing') item.update(peer.key, { state: 'cancelled' });
      else if (item.mine || peer.incoming.get(item.id) === item) link.cancel(item.id);
    }
  }

  /**
   * Files this window took before it reloaded (kept-chat.ts) still count
   * toward the call's cap: a reload does not open the door again.
   */
  restored(items: FileItem[]): void {
    for (const item of items) {
      if (item.mine || item.rows.every((r) => NOT_TAKEN.has(r.state))) continue;
      this.#taken = { files: this.#taken.files + 1, bytes: this.#taken.bytes + item.size };
    }
  }

  /**
   * The chat no longer shows this file: its URL is revoked, and one still
   * coming in is cancelled (nobody could save it). One's own keeps going.
   */
  forget(item: FileItem): void {
    this.#forgotten.add(item);
    if (!item.mine) this.cancel(item);
    for (const peer of this.#links.values()) if (peer.incoming.get(item.id) === item) peer.incoming.delete(item.id);
    if (item.url) {
      URL.revokeObjectURL(item.url);
      this.#urls.delete(item.url);
      item.url = null;
    }
  }

  /** The call is over: every transfer stops and every file is forgotten. */
  reset(): void {
    this.#generation++;
    this.#taken = { files: 0, bytes: 0 };
    for (const link of this.#links.keys()) link.listen(null);
    this.#links.clear();
    this.#outgoing.clear();
    for (const url of this.#urls) URL.revokeObjectURL(url);
    this.#urls.clear();
  }

  /** A file of `size` bytes would still fit the call's cap. */
  #fits(size: number): boolean {
    const cap = this.#deps.cap ?? CALL_FILE_CAP;
    return this.#taken.files < cap.files && this.#taken.bytes + size <= cap.bytes;
  }

  /** The connection a received file came over. */
  #linkOf(item: FileItem): FileLink | undefined {
    for (const [link, peer] of this.#links) if (peer.incoming.get(item.id) === item) return link;
    return undefined;
  }

  /** Hashes the file once, then offers it to each peer still in the call that nobody cancelled. */
  async #offer(file: File, item: FileItem, sentAt: number, peers: [FileLink, Peer][]): Promise<void> {
    const generation = this.#generation;
    let sha256: string;
    try {
      sha256 = await sha256Hex(await file.arrayBuffer());
    } catch {
      for (const [, p] of peers) item.update(p.key, { state: 'failed' });
      return;
    }
    if (generation !== this.#generation) return;
    for (const [link, peer] of peers) {
      if (item.rows.find((r) => r.key === peer.key)?.state !== 'preparing' || !this.#links.has(link)) continue;
      link.send({ id: item.id, name: item.name, size: file.size, sha256, sentAt, data: file });
    }
  }
}
