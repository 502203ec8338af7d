/** The words of a file in the chat: each row's state, from the sender's side or the receiver's. */
import type { FileRow } from '../../call/chat/file-transfers.svelte.js';
import type { TransferState } from '../../call/chat/file-states.js';
import { formatSize } from '../../call/chat/file-wire.js';

type Words = Record<TransferState, (row: FileRow) => string>;

const limit = (row: FileRow) => (row.max === undefined ? 'a smaller limit' : `a limit of ${formatSize(row.max)}`);

/** One's own file, toward the peer of the row. */
const SENDING: Words = {
  preparing: () => 'Preparing…',
  queued: () => 'Waiting for the file before it…',
  offered: () => 'Offering…',
  asking: (r) => `Waiting for ${r.peer} to accept…`,
  sending: () => 'Sending…',
  receiving: () => 'Sending…',
  checking: (r) => `Sent: ${r.peer} is checking it…`,
  delivered: () => 'Delivered intact',
  ready: () => 'Delivered intact',
  damaged: (r) => `Arrived damaged: ${r.peer} was not offered it`,
  'too-large': (r) => `Not sent: ${r.peer} has ${limit(r)}`,
  busy: (r) => `Not sent: ${r.peer} was receiving another file`,
  'call-full': (r) => `Not sent: ${r.peer} takes no more files in this call`,
  declined: (r) => `${r.peer} declined`,
  expired: (r) => `Not sent: ${r.peer} did not accept it in time`,
  refused: (r) => `Not sent: ${r.peer} did not take it`,
  cancelled: () => 'Cancelled',
  'peer-cancelled': (r) => `${r.peer} cancelled it`,
  unsupported: (r) => `Not sent: ${r.peer}'s Parley cannot receive files`,
  failed: () => 'Not delivered: the connection was lost',
  interrupted: () => 'Stopped when Parley reloaded: send it again if it is still needed',
};

/** A file coming in from the row's peer. */
const RECEIVING: Words = {
  preparing: () => 'Receiving…',
  queued: () => 'Receiving…',
  offered: () => 'Receiving…',
  asking: (r) => `${r.peer} wants to send you this file`,
  sending: () => 'Receiving…',
  receiving: () => 'Receiving…',
  checking: () => 'Checking it is intact…',
  delivered: () => 'Arrived intact',
  ready: () => 'Arrived intact',
  damaged: () => 'Arrived damaged: not offered for saving',
  'too-large': (r) => `Not received: larger than your limit of ${r.max === undefined ? '?' : formatSize(r.max)} (Settings)`,
  busy: (r) => `Not received: another file from ${r.peer} was still coming`,
  'call-full': () => "Not received: this call's file limit is reached",
  declined: () => 'You declined it',
  expired: () => 'Not received: you did not accept it in time',
  refused: () => 'Not received',
  cancelled: () => 'Cancelled',
  'peer-cancelled': (r) => `${r.peer} cancelled it`,
  unsupported: () => 'Not received',
  failed: () => 'Not received: the connection was lost',
  interrupted: (r) => `Not kept when Parley reloaded: ask ${r.peer} to send it again`,
};

export function fileRowText(row: FileRow, mine: boolean): string {
  return (mine ? SENDING : RECEIVING)[row.state](row);
}

/** How a row looks: under way, done well, or not done. */
export function fileRowTone(state: TransferState): 'going' | 'good' | 'bad' | 'quiet' {
  switch (state) {
    case 'preparing':
    case 'queued':
    case 'offered':
    case 'asking':
    case 'sending':
    case 'receiving':
    case 'checking':
      return 'going';
    case 'delivered':
    case 'ready':
      return 'good';
    case 'cancelled':
    case 'peer-cancelled':
    case 'declined':
      return 'quiet';
    case 'damaged':
    case 'too-large':
    case 'busy':
    case 'call-full':
    case 'expired':
    case 'refused':
    case 'unsupported':
    case 'failed':
    case 'interrupted':
      return 'bad';
  }
}
