/** The call stage's words that depend on more than one value: pure, tested. */
import type { PeerState } from '../../call/mesh.svelte.js';
import type { BeingTransferred, TransferRinging } from '../../call/transfer.svelte.js';

/** "Bob", "Bob and Carol", "Bob, Carol and Dave". */
export function namesList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/** The rest of "Alice is calling you …": into a room, or into a call with the people already in it; '' for a call of two. */
export function invitationDetail(room: string | null, others: readonly string[]): string {
  const with_ = others.length > 0 ? ` with ${namesList(others)}` : '';
  if (room) return `into room ${room}${with_}`;
  return others.length > 0 ? `into a call${with_}` : '';
}

/** What a participant's tile says while they are not simply connected; null when there is nothing to say. */
export function peerStateText(state: PeerState, away: boolean): string | null {
  if (away) return 'Lost the server, waiting…';
  switch (state) {
    case 'ringing':
      return 'Ringing…';
    case 'connecting':
      return 'Connecting…';
    case 'interrupted':
      return 'Reconnecting…';
    case 'silent':
      return 'No audio arriving';
    case 'failed':
      return 'Cannot connect';
    case 'connected':
      return null;
  }
}

/** The on-hold pill of a call of two: who holds it; null when nobody does. */
export function holdText(mine: boolean, theirs: boolean, name: string): string | null {
  if (mine && theirs) return `On hold: you and ${name} both put the call on hold`;
  if (mine) return `On hold: you put ${name} on hold`;
  if (theirs) return `On hold: ${name} put you on hold`;
  return null;
}

/** "1 person", "3 people". */
export function peopleCount(n: number): string {
  return n === 1 ? '1 person' : `${n} people`;
}

/**
 * A person's tile as a screen reader names it: words for what the tile
 * shows (their state, muted, speaking), never the level meter's raw value.
 */
export function tileName(name: string, tile: { note: string | null; muted: boolean; speaking: boolean }): string {
  const parts = [name, tile.note, tile.muted ? 'muted' : null, tile.speaking && !tile.muted ? 'speaking' : null];
  return parts.filter((p): p is string => p !== null && p !== '').join(', ');
}

/**
 * The pill for a transfer under way: this side's own (with Take back), or
 * the other side putting this side through; null when there is none.
 */
export function transferText(
  ringing: TransferRinging | null,
  being: BeingTransferred | null,
  ontakeback: () => void,
): { text: string; ontakeback?: () => void } | null {
  if (ringing) return { text: `Transferring ${ringing.from.displayName} to ${ringing.to.displayName}…`, ontakeback };
  if (!being) return null;
  if (being.to) return { text: `${being.by.displayName} is transferring you to ${being.to.displayName}…` };
  return { text: `${being.by.displayName} put the call through. Connecting…` };
}
