/**
 * Files to and from one peer (file-wire.ts has the protocol). Sending: one
 * file at a time, in the order given; the offer goes when the files channel
 * is open, the bytes once the peer accepts, read from the file a megabyte at
 * a time and paused while the channel's buffer is full, so memory stays flat
 * whatever the file's size. The next file is offered once the receiver has
 * answered with its check: the chat channel is another SCTP stream, so an
 * offer sent earlier could overtake this file's last frames.
 * Receiving: one file at a time from this peer, refused unless it fits this
 * side's limit; bytes beyond the size offered end the transfer; once all have
 * come they are hashed and handed on only if they match the offer's SHA-256.
 */
import { logger } from '../../lib/log.js';
import {
  ANSWER_TIMEOUT_MS,
  FILES_CHANNEL_ID,
  FRAME_BYTES,
  FRAME_HEADER,
  MB,
  frame,
  safeFileName,
  sha256Hex,
  unframe,
  type FileControl,
  type FileOffer,
} from './file-wire.js';

const log = logger('files');

/** Sending pauses while this much waits in the channel's buffer, and goes on below the low mark. */
const HIGH_WATER = 2 * MB;
const LOW_WATER = 512 * 1024;
/** Read from the file this much at a time. */
const READ_BYTES = MB;
/** What arrives is gathered into a Blob this often: the browser may keep a Blob out of the page's memory. */
const GATHER_BYTES = 4 * MB;

export type TransferState =
  | 'preparing'
  | 'queued'
  | 'offered'
  | 'sending'
  | 'receiving'
  | 'checking'
  | 'delivered'
  | 'ready'
  | 'damaged'
  | 'too-large'
  | 'busy'
  | 'refused'
  | 'cancelled'
  | 'peer-cancelled'
  | 'unsupported'
  | 'failed';

/** States a transfer does not leave. */
export const FINAL: ReadonlySet<TransferState> = new Set<TransferState>(['delivered', 'ready', 'damaged', 'too-large', 'busy', 'refused', 'cancelled', 'peer-cancelled', 'unsupported', 'failed']);
/** States a transfer can be cancelled in (once every byte is out, it is the receiver's). */
export const CANCELLABLE: ReadonlySet<TransferState> = new Set<TransferState>(['preparing', 'queued', 'offered', 'sending', 'receiving']);

export interface TransferUpdate {
  state?: TransferState;
  /** Bytes sent (handed to the connection) or received so far. */
  bytes?: number;
  /** With `too-large`: the receiver's limit in bytes. */
  max?: number;
  /** With `ready`: the file, its hash checked. */
  blob?: Blob;
}

export interface IncomingFile {
  id: string;
  /** Made safe to show and save under (safeFileName). */
  name: string;
  size: number;
  sentAt: number;
}

/** A file to send: what its offer says, and where the bytes are. */
export interface OutgoingFile {
  id: string;
  name: string;
  size: number;
  sha256: string;
  sentAt: number;
  data: Blob;
}

export interface FileLinkListener {
  /** The largest file this side takes, in bytes. */
  limit(): number;
  /** The peer offers a file: `update` says it is coming (`receiving`) or was refused. */
  offered(file: IncomingFile, update: TransferUpdate): void;
  /** A transfer moved on: `out` one of ours, `in` one of the peer's. */
  changed(direction: 'out' | 'in', id: string, update: TransferUpdate): void;
}

interface Outgoing {
  file: OutgoingFile;
  n: number;
  state: TransferState;
  timer?: ReturnType<typeof setTimeout>;
}

interface Incoming {
  offer: FileOffer;
  received: number;
  parts: Blob[];
  pending: Uint8Array[];
  pendingBytes: number;
}

export class FileLink {
  private readonly channel: RTCDataChannel;
  private listener: FileLinkListener | null = null;
  /** Files to send, in order: the first is the one offered, going, or being checked. */
  private readonly queue: Outgoing[] = [];
  private incoming: Incoming | null = null;
  private nextN = 1;
  private drainWaiters: (() => void)[] = [];
  /** The peer left an offer unanswered: its Parley does not know files. */
  private noFiles = false;
  private closed = false;

  /** `control`: sends a message about a file on the chat channel. */
  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly control: (message: FileControl) => void,
  ) {
    this.channel = pc.createDataChannel('files', { negotiated: true, id: FILES_CHANNEL_ID, ordered: true });
    this.channel.binaryType = 'arraybuffer';
    this.channel.bufferedAmountLowThreshold = LOW_WATER;
    this.channel.onopen = () => this.next();
    this.channel.onmessage = ({ data }) => this.receive(data);
    this.channel.onbufferedamountlow = () => this.drained();
    this.channel.onclose = () => this.lost();
  }

  /** Who hears about transfers (one listener: the call's chat). */
  listen(listener: FileLinkListener | null): void {
    this.listener = listener;
  }

  send(file: OutgoingFile): void {
    const t: Outgoing = { file, n: this.nextN++, state: 'queued' };
    if (this.closed) return this.report(t, { state: 'failed' });
    if (this.noFiles) return this.report(t, { state: 'unsupported' });
    this.queue.push(t);
    this.report(t, { state: 'queued' });
    this.next();
  }

  /** Stops a file going to the peer or coming from it, and tells the peer. */
  cancel(id: string): void {
    const t = this.queue.find((q) => q.file.id === id);
    if (t) {
      if (t.state !== 'queued') this.control({ v: 2, type: 'file-cancel', id });
      this.finish(t, 'cancelled');
    } else if (this.incoming?.offer.id === id) {
      this.incoming = null;
      this.control({ v: 2, type: 'file-cancel', id });
      this.listener?.changed('in', id, { state: 'cancelled' });
    }
  }

  /** A message about a file from the peer (the chat channel hands them on). */
  handle(message: FileControl): void {
    this.noFiles = false; // it knows files, whatever an earlier silence meant
    const head = this.queue[0]?.file.id === message.id ? this.queue[0] : undefined;
    switch (message.type) {
      case 'file-offer':
        return this.offered(message);
      case 'file-accept':
        if (head?.state !== 'offered') return;
        clearTimeout(head.timer);
        this.report(head, { state: 'sending', bytes: 0 });
        void this.pump(head);
        return;
      case 'file-refuse':
        if (head?.state !== 'offered') return;
        if (message.reason === 'too-large' || message.reason === 'busy') this.finish(head, message.reason, message.max);
        else this.finish(head, 'refused');
        return;
      case 'file-cancel': {
        if (head && head.state !== 'queued') this.finish(head, 'peer-cancelled');
        else if (this.incoming?.offer.id === message.id) {
          this.incoming = null;
          this.listener?.changed('in', message.id, { state: 'peer-cancelled' });
        }
        return;
      }
      case 'file-received':
        if (head?.state === 'checking') this.finish(head, message.intact ? 'delivered' : 'damaged');
        return;
    }
  }

  close(): void {
    this.lost();
    this.listener = null;
    this.channel.onopen = null;
    this.channel.onmessage = null;
    this.channel.onbufferedamountlow = null;
    this.channel.onclose = null;
    this.channel.close();
  }

  /** Offers the next file, once the channel is open and nothing else is going. */
  private next(): void {
    const t = this.queue[0];
    if (!t || t.state !== 'queued' || this.closed || this.channel.readyState !== 'open') return;
    if (this.noFiles) return this.finish(t, 'unsupported');
    const { id, name, size, sha256, sentAt } = t.file;
    this.control({ v: 2, type: 'file-offer', id, n: t.n, name, size, sha256, sentAt });
    t.timer = setTimeout(() => {
      this.noFiles = true;
      this.finish(t, 'unsupported');
    }, ANSWER_TIMEOUT_MS);
    this.report(t, { state: 'offered' });
  }

  private async pump(t: Outgoing): Promise<void> {
    const { data, size, id } = t.file;
    const chunkBytes = Math.min(FRAME_BYTES, this.maxFrame()) - FRAME_HEADER;
    let sent = 0;
    /** Bytes that left this side (sent, less the channel's buffer, which counts headers too): never shown going back. */
    let gone = 0;
    try {
      while (sent < size) {
        const bytes = new Uint8Array(await data.slice(sent, Math.min(sent + READ_BYTES, size)).arrayBuffer());
        for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
          if (this.channel.bufferedAmount > HIGH_WATER) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
          if (t.state !== 'sending') return; // cancelled, or the connection went
          const chunk = bytes.subarray(at, at + chunkBytes);
          this.channel.send(frame(t.n, chunk));
          sent += chunk.byteLength;
          gone = Math.max(gone, sent - this.channel.bufferedAmount);
          this.report(t, { bytes: gone });
        }
      }
    } catch (err) {
      if (t.state !== 'sending') return;
      log.warn('sending a file failed', err);
      this.control({ v: 2, type: 'file-cancel', id });
      return this.finish(t, 'failed');
    }
    if (t.state === 'sending') this.report(t, { state: 'checking', bytes: size });
  }

  /** The largest message the connection takes (the peer may take less than we send). */
  private maxFrame(): number {
    const max = (this.pc as Partial<RTCPeerConnection>).sctp?.maxMessageSize;
    return typeof max === 'number' && max > FRAME_HEADER ? max : FRAME_BYTES;
  }

  private offered(offer: FileOffer): void {
    const { id, size, sentAt } = offer;
    if (this.incoming?.offer.id === id || !this.listener) return;
    const file: IncomingFile = { id, name: safeFileName(offer.name), size, sentAt };
    const limit = this.listener.limit();
    if (size > limit || this.incoming) {
      const reason = size > limit ? 'too-large' : 'busy';
      this.control({ v: 2, type: 'file-refuse', id, reason, ...(reason === 'too-large' && { max: limit }) });
      this.listener.offered(file, { state: reason, ...(reason === 'too-large' && { max: limit }) });
      return;
    }
    const t: Incoming = { offer, received: 0, parts: [], pending: [], pendingBytes: 0 };
    this.incoming = t;
    this.control({ v: 2, type: 'file-accept', id });
    this.listener.offered(file, { state: 'receiving', bytes: 0 });
    if (size === 0) void this.complete(t);
  }

  private receive(data: unknown): void {
    const f = unframe(data);
    if (!f) return log.warn('dropped a malformed file frame');
    const t = this.incoming;
    if (t?.offer.n !== f.n) return; // the last frames of a cancelled transfer
    const { id, size } = t.offer;
    t.received += f.chunk.byteLength;
    if (t.received > size) {
      log.warn('a file came larger than offered: stopped');
      this.incoming = null;
      this.control({ v: 2, type: 'file-cancel', id });
      this.listener?.changed('in', id, { state: 'failed' });
      return;
    }
    t.pending.push(f.chunk);
    t.pendingBytes += f.chunk.byteLength;
    if (t.pendingBytes >= GATHER_BYTES) gather(t);
    this.listener?.changed('in', id, { bytes: t.received });
    if (t.received === size) void this.complete(t);
  }

  /** Every byte is here: hashed, and handed on only if it matches. */
  private async complete(t: Incoming): Promise<void> {
    this.incoming = null; // the peer's next file may come while this one is checked
    gather(t);
    const { id, sha256 } = t.offer;
    this.listener?.changed('in', id, { state: 'checking' });
    const blob = new Blob(t.parts, { type: 'application/octet-stream' });
    t.parts = [];
    let intact: boolean;
    try {
      intact = (await sha256Hex(await blob.arrayBuffer())) === sha256;
    } catch (err) {
      log.warn('checking a file failed', err);
      this.control({ v: 2, type: 'file-cancel', id });
      this.listener?.changed('in', id, { state: 'failed' });
      return;
    }
    if (!intact) log.warn('a file arrived damaged: its hash does not match the offer');
    if (!this.closed) this.control({ v: 2, type: 'file-received', id, intact });
    this.listener?.changed('in', id, intact ? { state: 'ready', blob } : { state: 'damaged' });
  }

  private report(t: Outgoing, update: TransferUpdate): void {
    if (update.state) t.state = update.state;
    this.listener?.changed('out', t.file.id, update);
  }

  private finish(t: Outgoing, state: TransferState, max?: number): void {
    clearTimeout(t.timer);
    const at = this.queue.indexOf(t);
    if (at >= 0) this.queue.splice(at, 1);
    this.report(t, { state, ...(max !== undefined && { max }) });
    if (at === 0) this.next();
  }

  private drained(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** The channel closed: nothing more goes or comes. */
  private lost(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.queue]) this.finish(t, 'failed');
    if (this.incoming) this.listener?.changed('in', this.incoming.offer.id, { state: 'failed' });
    this.incoming = null;
    this.drained();
  }
}

/** Moves what arrived since the last time into one Blob. */
function gather(t: Incoming): void {
  if (t.pending.length === 0) return;
  t.parts.push(new Blob(t.pending as BlobPart[]));
  t.pending = [];
  t.pendingBytes = 0;
}
