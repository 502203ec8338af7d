/**
 * What a file transfer with one peer goes through, and what a FileLink tells
 * its listener (the call's FileTransfers) about it: the words between the
 * wire (file-link.ts, file-receiver.ts) and the chat (file-transfers.svelte.ts).
 */

export type TransferState =
  | 'preparing'
  | 'queued'
  | 'offered'
  /** Offered and not taken yet: the receiver's person is asked to accept it (file-consent.ts). */
  | 'asking'
  | 'sending'
  | 'receiving'
  | 'checking'
  | 'delivered'
  | 'ready'
  | 'damaged'
  | 'too-large'
  | 'busy'
  /** The receiver took as many files or bytes as it takes in one call (file-transfers.svelte.ts). */
  | 'call-full'
  /** The receiver's person said no. */
  | 'declined'
  /** The receiver's person did not answer in time. */
  | 'expired'
  | 'refused'
  | 'cancelled'
  | 'peer-cancelled'
  | 'unsupported'
  | 'failed'
  /** Cut off by a reload of this window (kept-chat.ts): the bytes did not survive it. */
  | 'interrupted';

/** States a transfer does not leave. */
export const FINAL: ReadonlySet<TransferState> = new Set<TransferState>([
  'delivered',
  'ready',
  'damaged',
  'too-large',
  'busy',
  'call-full',
  'declined',
  'expired',
  'refused',
  'cancelled',
  'peer-cancelled',
  'unsupported',
  'failed',
  'interrupted',
]);
/** States a transfer can be cancelled in (once every byte is out, it is the receiver's). */
export const CANCELLABLE: ReadonlySet<TransferState> = new Set<TransferState>(['preparing', 'queued', 'offered', 'asking', 'sending', 'receiving']);

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
  /** Files at or below this many bytes are taken without asking; 0: every file is asked about. */
  autoAccept(): number;
  /** A file of `size` bytes would still fit this call's cap (nothing is counted). */
  fits(size: number): boolean;
  /** A file of `size` bytes is about to be taken: false refuses it (this call's cap is reached); true counts it. */
  admit(size: number): boolean;
  /** The peer offers a file: `update` says it is coming (`receiving`), waits for this side's person (`asking`), or was refused. */
  offered(file: IncomingFile, update: TransferUpdate): void;
  /** A transfer moved on: `out` one of ours, `in` one of the peer's. */
  changed(direction: 'out' | 'in', id: string, update: TransferUpdate): void;
}
