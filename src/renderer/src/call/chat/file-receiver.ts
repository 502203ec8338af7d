/**
 * Files coming from one peer (file-wire.ts has the protocol, file-consent.ts
 * the receiver's choice). One at a time: an offer is refused unless it fits
 * this side's limit and the call's cap; one at or below the auto-accept size
 * is taken at once, any other waits for this side's person (`file-asking` to
 * a sender that waits), who accepts or declines it, or lets it expire. Until
 * it is accepted, no frame of it is kept. Bytes beyond the size offered end
 * the transfer; once all have come they are hashed and handed on only if
 * they match the offer's SHA-256.
 */
import { logger } from '../../lib/log.js';
import { consentWindow, takenUnasked } from './file-consent.js';
import type { FileLinkListener, IncomingFile, TransferUpdate } from './file-states.js';
import { MB, safeFileName, sha256Hex, unframe, type FileControl, type FileOffer } from './file-wire.js';

const log = logger('files');

/** What arrives is gathered into a Blob this often: the browser may keep a Blob out of the page's memory. */
const GATHER_BYTES = 4 * MB;

interface Incoming {
  offer: FileOffer;
  /** This side said `file-accept`: frames are taken. */
  accepted: boolean;
  /** While it waits for this side's person: when the offer expires. */
  timer?: ReturnType<typeof setTimeout>;
  received: number;
  parts: Blob[];
  pending: Uint8Array[];
  pendingBytes: number;
}

export class FileReceiver {
  #incoming: Incoming | null = null;
  #closed = false;

  readonly #control: (message: FileControl) => void;
  readonly #listener: () => FileLinkListener | null;

  /** `control`: sends a message about a file to the peer; `listener`: who hears (null once nobody does). */
  constructor(
    control: (message: FileControl) => void,
    listener: () => FileLinkListener | null,
  ) {
    this.#control = control;
    this.#listener = listener;
  }

  /** The peer offers a file. */
  offered(offer: FileOffer): void {
    const listener = this.#listener();
    const { id, size, sentAt } = offer;
    if (this.#incoming?.offer.id === id || !listener || this.#closed) return;
    const file: IncomingFile = { id, name: safeFileName(offer.name), size, sentAt };
    const limit = listener.limit();
    if (size > limit) return this.#refuseOffer(file, 'too-large', limit);
    // The app never offers two at once: one meanwhile is refused (asking counts: that file has the slot).
    if (this.#incoming) return this.#refuseOffer(file, 'busy');
    if (!listener.fits(size)) return this.#refuseOffer(file, 'call-full');
    const t: Incoming = { offer, accepted: false, received: 0, parts: [], pending: [], pendingBytes: 0 };
    this.#incoming = t;
    if (takenUnasked(size, listener.autoAccept())) {
      listener.offered(file, this.#take(t));
      return this.#begun(t);
    }
    t.timer = setTimeout(() => this.#refuse(t, 'expired'), consentWindow(offer));
    if (offer.waits === true) this.#control({ v: 2, type: 'file-asking', id });
    listener.offered(file, { state: 'asking' });
  }

  /** This side's person accepts the file offered: it may come, if the call's cap still has room. */
  accept(id: string): void {
    const t = this.#incoming;
    if (t?.offer.id !== id || t.accepted) return;
    clearTimeout(t.timer);
    this.#listener()?.changed('in', id, this.#take(t));
    this.#begun(t);
  }

  /** This side's person declines the file offered: the peer is told, and nothing of it is kept. */
  decline(id: string): void {
    const t = this.#incoming;
    if (t?.offer.id === id && !t.accepted) this.#refuse(t, 'declined');
  }

  /** This side stops a file coming in (one still asked about is declined); false when none has this id. */
  cancel(id: string): boolean {
    const t = this.#incoming;
    if (t?.offer.id !== id) return false;
    if (!t.accepted) {
      this.#refuse(t, 'declined');
      return true;
    }
    this.#drop();
    this.#control({ v: 2, type: 'file-cancel', id });
    this.#listener()?.changed('in', id, { state: 'cancelled' });
    return true;
  }

  /** The peer stopped sending `id`; false when it is not the one coming. */
  peerCancelled(id: string): boolean {
    if (this.#incoming?.offer.id !== id) return false;
    this.#drop();
    this.#listener()?.changed('in', id, { state: 'peer-cancelled' });
    return true;
  }

  /** A frame from the files channel. */
  receive(data: unknown): void {
    const f = unframe(data);
    if (!f) return log.warn('dropped a malformed file frame');
    const t = this.#incoming;
    if (t?.offer.n !== f.n) return; // the last frames of a cancelled transfer
    if (!t.accepted) return log.warn('dropped a frame of a file not accepted');
    const { id, size } = t.offer;
    t.received += f.chunk.byteLength;
    if (t.received > size) {
      log.warn('a file came larger than offered: stopped');
      this.#drop();
      this.#control({ v: 2, type: 'file-cancel', id });
      this.#listener()?.changed('in', id, { state: 'failed' });
      return;
    }
    t.pending.push(f.chunk);
    t.pendingBytes += f.chunk.byteLength;
    if (t.pendingBytes >= GATHER_BYTES) gather(t);
    this.#listener()?.changed('in', id, { bytes: t.received });
    if (t.received === size) void this.#complete(t);
  }

  /** The connection went: what was coming, or asked about, did not arrive. */
  lost(): void {
    if (this.#closed) return;
    this.#closed = true;
    const t = this.#incoming;
    this.#drop();
    if (t) this.#listener()?.changed('in', t.offer.id, { state: 'failed' });
  }

  /** Says yes to the peer if the call's cap has room (and counts it), no if not; what to show. */
  #take(t: Incoming): TransferUpdate {
    const { id, size } = t.offer;
    if (!this.#listener()?.admit(size)) {
      this.#drop();
      this.#control({ v: 2, type: 'file-refuse', id, reason: 'call-full' });
      return { state: 'call-full' };
    }
    t.accepted = true;
    this.#control({ v: 2, type: 'file-accept', id });
    return { state: 'receiving', bytes: 0 };
  }

  /** A file of 0 bytes is complete once accepted. */
  #begun(t: Incoming): void {
    if (t.accepted && t.offer.size === 0) void this.#complete(t);
  }

  /** An offer not taken: the peer and this side's chat are told why. */
  #refuse(t: Incoming, reason: 'declined' | 'expired'): void {
    if (this.#incoming !== t) return;
    this.#drop();
    this.#control({ v: 2, type: 'file-refuse', id: t.offer.id, reason });
    this.#listener()?.changed('in', t.offer.id, { state: reason });
  }

  /** An offer refused before it took the slot. */
  #refuseOffer(file: IncomingFile, reason: 'too-large' | 'busy' | 'call-full', max?: number): void {
    this.#control({ v: 2, type: 'file-refuse', id: file.id, reason, ...(max !== undefined && { max }) });
    this.#listener()?.offered(file, { state: reason, ...(max !== undefined && { max }) });
  }

  /** Frees the slot: no timer left, nothing kept. */
  #drop(): void {
    clearTimeout(this.#incoming?.timer);
    this.#incoming = null;
  }

  /** Every byte is here: hashed, and handed on only if it matches. */
  async #complete(t: Incoming): Promise<void> {
    if (this.#incoming === t) this.#drop(); // the peer's next file may come while this one is checked
    gather(t);
    const { id, sha256 } = t.offer;
    this.#listener()?.changed('in', id, { state: 'checking' });
    const blob = new Blob(t.parts, { type: 'application/octet-stream' });
    t.parts = [];
    let intact: boolean;
    try {
      intact = (await sha256Hex(await blob.arrayBuffer())) === sha256;
    } catch (err) {
      log.warn('checking a file failed', err);
      this.#control({ v: 2, type: 'file-cancel', id });
      this.#listener()?.changed('in', id, { state: 'failed' });
      return;
    }
    if (!intact) log.warn('a file arrived damaged: its hash does not match the offer');
    if (!this.#closed) this.#control({ v: 2, type: 'file-received', id, intact });
    this.#listener()?.changed('in', id, intact ? { state: 'ready', blob } : { state: 'damaged' });
  }
}

/** Moves what arrived since the last time into one Blob. */
function gather(t: Incoming): void {
  if (t.pending.length === 0) return;
  t.parts.push(new Blob(t.pending as BlobPart[]));
  t.pending = [];
  t.pendingBytes = 0;
}
