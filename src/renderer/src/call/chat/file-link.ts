/**
 * Files to and from one peer (file-wire.ts has the protocol). Sending: one
 * file at a time, in the order given; the offer goes when the files channel
 * is open, the bytes once the peer accepts, read from the file a megabyte at
 * a time and paused while the channel's buffer is full, so memory stays flat
 * whatever the file's size. A receiver that asks its person first says so
 * (`file-asking`): the offer then waits for their answer, up to
 * SENDER_CONSENT_MS (file-consent.ts). The next file is offered once the
 * receiver has answered with its check: the chat channel is another SCTP
 * stream, so an offer sent earlier could overtake this file's last frames.
 * Receiving is file-receiver.ts's.
 */
import { logger } from '../../lib/log.js';
import { SENDER_CONSENT_MS } from './file-consent.js';
import { FileReceiver } from './file-receiver.js';
import type { FileLinkListener, OutgoingFile, TransferState, TransferUpdate } from './file-states.js';
import { ANSWER_TIMEOUT_MS, FILES_CHANNEL_ID, FRAME_BYTES, FRAME_HEADER, MB, frame, type FileControl } from './file-wire.js';

const log = logger('files');

/** Sending pauses while this much waits in the channel's buffer, and goes on below the low mark. */
const HIGH_WATER = 2 * MB;
const LOW_WATER = 512 * 1024;
/** Read from the file this much at a time. */
const READ_BYTES = MB;

/** The reasons of a `file-refuse` this side shows as they are; any other is a plain refusal. */
type Refusal = Extract<TransferState, 'too-large' | 'busy' | 'call-full' | 'declined' | 'expired'>;
const REFUSALS: ReadonlySet<string> = new Set<Refusal>(['too-large', 'busy', 'call-full', 'declined', 'expired']);
const shownRefusal = (reason: string): reason is Refusal => REFUSALS.has(reason);

interface Outgoing {
  file: OutgoingFile;
  n: number;
  state: TransferState;
  timer?: ReturnType<typeof setTimeout>;
}

export class FileLink {
  readonly #channel: RTCDataChannel;
  #listener: FileLinkListener | null = null;
  /** Files to send, in order: the first is the one offered, going, or being checked. */
  readonly #queue: Outgoing[] = [];
  readonly #receiver: FileReceiver;
  #nextN = 1;
  #drainWaiters: (() => void)[] = [];
  /** The peer left an offer unanswered: its Parley does not know files. */
  #noFiles = false;
  #closed = false;

  readonly #pc: RTCPeerConnection;
  readonly #control: (message: FileControl) => void;

  /** `control`: sends a message about a file on the chat channel. */
  constructor(
    pc: RTCPeerConnection,
    control: (message: FileControl) => void,
  ) {
    this.#pc = pc;
    this.#control = control;
    this.#receiver = new FileReceiver(control, () => this.#listener);
    this.#channel = pc.createDataChannel('files', { negotiated: true, id: FILES_CHANNEL_ID, ordered: true });
    this.#channel.binaryType = 'arraybuffer';
    this.#channel.bufferedAmountLowThreshold = LOW_WATER;
    this.#channel.onopen = () => this.#next();
    this.#channel.onmessage = ({ data }) => this.#receiver.receive(data);
    this.#channel.onbufferedamountlow = () => this.#drained();
    this.#channel.onclose = () => this.#lost();
  }

  /** Who hears about transfers (one listener: the call's chat). */
  listen(listener: FileLinkListener | null): void {
    this.#listener = listener;
  }

  send(file: OutgoingFile): void {
    const t: Outgoing = { file, n: this.#nextN++, state: 'queued' };
    if (this.#closed) return this.#report(t, { state: 'failed' });
    if (this.#noFiles) return this.#report(t, { state: 'unsupported' });
    this.#queue.push(t);
    this.#report(t, { state: 'queued' });
    this.#next();
  }

  /** Stops a file going to the peer or coming from it (one asked about is declined), and tells the peer. */
  cancel(id: string): void {
    const t = this.#queue.find((q) => q.file.id === id);
    if (!t) {
      this.#receiver.cancel(id);
      return;
    }
    if (t.state !== 'queued') this.#control({ v: 2, type: 'file-cancel', id });
    this.#finish(t, 'cancelled');
  }

  /** This side's person takes the file the peer offers. */
  accept(id: string): void {
    this.#receiver.accept(id);
  }

  /** This side's person does not take the file the peer offers. */
  decline(id: string): void {
    this.#receiver.decline(id);
  }

  /** A message about a file from the peer (the chat channel hands them on). */
  handle(message: FileControl): void {
    this.#noFiles = false; // it knows files, whatever an earlier silence meant
    const head = this.#queue[0]?.file.id === message.id ? this.#queue[0] : undefined;
    switch (message.type) {
      case 'file-offer':
        return this.#receiver.offered(message);
      case 'file-asking':
        // Its person is asked: the offer waits for the answer, not for ever.
        if (head?.state !== 'offered') return;
        clearTimeout(head.timer);
        head.timer = setTimeout(() => {
          this.#control({ v: 2, type: 'file-cancel', id: head.file.id });
          this.#finish(head, 'expired');
        }, SENDER_CONSENT_MS);
        this.#report(head, { state: 'asking' });
        return;
      case 'file-accept':
        if (head?.state !== 'offered' && head?.state !== 'asking') return;
        clearTimeout(head.timer);
        this.#report(head, { state: 'sending', bytes: 0 });
        void this.#pump(head);
        return;
      case 'file-refuse':
        if (head?.state !== 'offered' && head?.state !== 'asking') return;
        this.#finish(head, shownRefusal(message.reason) ? message.reason : 'refused', message.max);
        return;
      case 'file-cancel':
        if (head && head.state !== 'queued') this.#finish(head, 'peer-cancelled');
        else this.#receiver.peerCancelled(message.id);
        return;
      case 'file-received':
        if (head?.state === 'checking') this.#finish(head, message.intact ? 'delivered' : 'damaged');
        return;
    }
  }

  close(): void {
    this.#lost();
    this.#listener = null;
    this.#channel.onopen = null;
    this.#channel.onmessage = null;
    this.#channel.onbufferedamountlow = null;
    this.#channel.onclose = null;
    this.#channel.close();
  }

  /** Offers the next file, once the channel is open and nothing else is going. */
  #next(): void {
    const t = this.#queue[0];
    if (!t || t.state !== 'queued' || this.#closed || this.#channel.readyState !== 'open') return;
    if (this.#noFiles) return this.#finish(t, 'unsupported');
    const { id, name, size, sha256, sentAt } = t.file;
    this.#control({ v: 2, type: 'file-offer', id, n: t.n, name, size, sha256, sentAt, waits: true });
    t.timer = setTimeout(() => {
      this.#noFiles = true;
      this.#finish(t, 'unsupported');
    }, ANSWER_TIMEOUT_MS);
    this.#report(t, { state: 'offered' });
  }

  async #pump(t: Outgoing): Promise<void> {
    const { data, size, id } = t.file;
    const chunkBytes = Math.min(FRAME_BYTES, this.#maxFrame()) - FRAME_HEADER;
    let sent = 0;
    /** Bytes that left this side (sent, less the channel's buffer, which counts headers too): never shown going back. */
    let gone = 0;
    try {
      while (sent < size) {
        const bytes = new Uint8Array(await data.slice(sent, Math.min(sent + READ_BYTES, size)).arrayBuffer());
        for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
          if (this.#channel.bufferedAmount > HIGH_WATER) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
          if (t.state !== 'sending') return; // cancelled, or the connection went
          const chunk = bytes.subarray(at, at + chunkBytes);
          this.#channel.send(frame(t.n, chunk));
          sent += chunk.byteLength;
          gone = Math.max(gone, sent - this.#channel.bufferedAmount);
          this.#report(t, { bytes: gone });
        }
      }
    } catch (err) {
      if (t.state !== 'sending') return;
      log.warn('sending a file failed', err);
      this.#control({ v: 2, type: 'file-cancel', id });
      return this.#finish(t, 'failed');
    }
    if (t.state === 'sending') this.#report(t, { state: 'checking', bytes: size });
  }

  /** The largest message the connection takes (the peer may take less than we send). */
  #maxFrame(): number {
    const max = (this.#pc as Partial<RTCPeerConnection>).sctp?.maxMessageSize;
    return typeof max === 'number' && max > FRAME_HEADER ? max : FRAME_BYTES;
  }

  #report(t: Outgoing, update: TransferUpdate): void {
    if (update.state) t.state = update.state;
    this.#listener?.changed('out', t.file.id, update);
  }

  #finish(t: Outgoing, state: TransferState, max?: number): void {
    clearTimeout(t.timer);
    const at = this.#queue.indexOf(t);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#report(t, { state, ...(max !== undefined && { max }) });
    if (at === 0) this.#next();
  }

  #drained(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  /** The channel closed: nothing more goes or comes. */
  #lost(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#queue]) this.#finish(t, 'failed');
    this.#receiver.lost();
    this.#drained();
  }
}
