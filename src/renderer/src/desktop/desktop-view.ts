/**
 * The snapshot the desktop's main process mirrors (tray, shortcuts,
 * notifications, popup), computed from the renderer's state. Pure.
 */
import type { DirectoryEntry, HistoryEntry, SettableStatus, Status, UserRef, VoicemailMessage } from 'parley-server/protocol';
import { MAX_MENU_CONTACTS, MAX_MENU_RECENT, MAX_MENU_ROOMS, type DesktopCall, type DesktopState, type DesktopTransfer } from '../../../shared/desktop-state.js';
import type { CallPhase } from '../call/call-state.js';
import type { ConnectionState } from '../connection/connection.svelte.js';

export interface DesktopInput {
  connection: ConnectionState;
  me: UserRef | null;
  myStatus: Status;
  chosenStatus: SettableStatus;
  call: CallPhase;
  /** The call ringing here is a blind transfer, put through by them. */
  transferredBy?: UserRef | null;
  muted: boolean;
  /** Push-to-talk's key and whether it is held, while push-to-talk is on. */
  pushToTalk?: { key: string; talking: boolean } | null;
  /** Who holds the call, while it can be held (answered, a call of two). */
  hold?: { mine: boolean; theirs: boolean } | null;
  /** A call waiting while in this one. */
  waiting?: { callId: string; peer: UserRef; transferredBy?: UserRef } | null;
  /** A call held meanwhile (hold and answer, a consult). */
  aside?: { callId: string; peer: UserRef } | null;
  /** What transfer offers now (transferView), while in a call. */
  transfer?: DesktopTransfer | null;
  missedCalls: number;
  directory: Iterable<DirectoryEntry>;
  favorites: ReadonlySet<string>;
  history: readonly HistoryEntry[];
  /** Named rooms joined lately, newest first. */
  rooms?: readonly string[];
  /** Voicemail not heard yet, and the newest message that arrived while connected. */
  voicemail?: { unheard: number; latest: VoicemailMessage | null };
}

export function desktopCall(
  call: CallPhase,
  muted: boolean,
  pushToTalk: DesktopInput['pushToTalk'] = null,
  hold: DesktopInput['hold'] = null,
  waiting: DesktopInput['waiting'] = null,
  aside: DesktopInput['aside'] = null,
  transfer: DesktopInput['transfer'] = null,
  transferredBy: DesktopInput['transferredBy'] = null,
): DesktopCall {
  // Consulting is about the call held aside: never said without it (the contract refuses that).
  const transferNow = transfer?.kind === 'consulting' && !aside ? null : transfer;
  const talk = {
    ...(pushToTalk && { pushToTalk }),
    ...(hold && { hold }),
    ...(waiting && { waiting }),
    ...(aside && { aside }),
    ...(transferNow && { transfer: transferNow }),
  };
  switch (call.kind) {
    case 'incoming':
      return { kind: 'ringing-in', callId: call.callId, peer: call.peer, ...(transferredBy && { transferredBy }) };
    case 'outgoing':
      return { kind: 'ringing-out', peer: call.peer };
    case 'connecting':
      return { kind: 'in-call', callId: call.callId, peer: call.peer, muted, answeredAt: null, ...talk };
    case 'active':
    case 'reconnecting':
      return { kind: 'in-call', callId: call.callId, peer: call.peer, muted, answeredAt: call.answeredAt, ...talk };
    case 'idle':
    case 'ended':
      return { kind: 'none' };
  }
}

/** What of the call model's transfer (call/transfer.svelte.ts) the desktop offers, for the call going on. */
export interface TransferModel {
  readonly possible: boolean;
  readonly consulting: boolean;
  readonly ringing: { readonly callId: string; readonly to: UserRef } | null;
}

/** Transfer as main mirrors it: this side's blind transfer ringing for the call going on, a consult, or one that can start. */
export function transferView(transfer: TransferModel, liveCallId: string | null): DesktopTransfer | null {
  const { ringing } = transfer;
  if (ringing && ringing.callId === liveCallId) return { kind: 'ringing', to: { username: ringing.to.username, displayName: ringing.to.displayName } };
  if (transfer.consulting) return { kind: 'consulting' };
  return transfer.possible ? { kind: 'possible' } : null;
}

export function desktopState(input: DesktopInput): DesktopState {
  if (input.connection === 'signed-out' || !input.me) {
    return {
      connection: 'signed-out',
      me: null,
      status: 'offline',
      chosenStatus: input.chosenStatus,
      call: { kind: 'none' },
      missedCalls: 0,
      contacts: [],
      recent: [],
      rooms: [],
    };
  }
  // Most recent call first, per peer.
  const lastCall = new Map<string, number>();
  for (const h of input.history) lastCall.set(h.peer.username, Math.max(lastCall.get(h.peer.username) ?? 0, h.startedAt));
  const all = [...input.directory];
  const favorites = all.filter((u) => input.favorites.has(u.username));
  const online = all
    .filter((u) => !input.favorites.has(u.username) && u.status !== 'offline')
    .sort((a, b) => (lastCall.get(b.username) ?? 0) - (lastCall.get(a.username) ?? 0) || a.displayName.localeCompare(b.displayName));
  return {
    connection: input.connection,
    me: input.me,
    status: input.connection === 'online' ? input.myStatus : 'offline',
    chosenStatus: input.chosenStatus,
    call: desktopCall(input.call, input.muted, input.pushToTalk, input.hold, input.waiting, input.aside, input.transfer, input.transferredBy),
    missedCalls: input.missedCalls,
    contacts: [...favorites, ...online]
      .slice(0, MAX_MENU_CONTACTS)
      .map((u) => ({ username: u.username, displayName: u.displayName, status: u.status, favorite: input.favorites.has(u.username) })),
    recent: input.history.slice(0, MAX_MENU_RECENT).map((h) => ({
      callId: h.callId,
      peer: h.peer,
      direction: h.direction,
      missed: h.missed,
    })),
    rooms: (input.rooms ?? []).slice(0, MAX_MENU_ROOMS),
    ...(input.voicemail && {
      voicemail: {
        unheard: input.voicemail.unheard,
        latest: input.voicemail.latest && { id: input.voicemail.latest.id, from: input.voicemail.latest.from, durationMs: input.voicemail.latest.durationMs },
      },
    }),
  };
}
