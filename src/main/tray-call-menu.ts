/**
 * The tray menu's top part while a call rings or goes on: who it is with,
 * Answer / Decline, a call waiting, the call held aside, mute, hold,
 * transfer and merge, hang up. Each item names the global shortcut doing
 * the same while that shortcut works. Pure: no electron.
 */
import type { DesktopCall, DesktopState } from '../shared/desktop-state.js';
import { keyName } from '../shared/push-to-talk.js';
import { assertNever, command, contactGroups, menuText, STATUS_WORDS, withKey } from './tray-items.js';
import type { ShortcutHints, TrayMenuItem } from './tray-items.js';

type InCall = Extract<DesktopCall, { kind: 'in-call' }>;

/** A call waiting while in a call: who calls, Hold and answer (a call of two; the hold shortcut), End and answer, Decline (the answer and decline shortcuts do the same). */
function waitingItems(call: InCall, hints: ShortcutHints): TrayMenuItem[] {
  if (!call.waiting) return [];
  const { callId, peer } = call.waiting;
  return [
    { type: 'normal', label: menuText(`${peer.displayName} is calling`), enabled: false },
    ...(call.hold !== undefined && call.aside === undefined
      ? [{ type: 'normal', label: 'Hold and answer', enabled: true, action: command({ type: 'hold-and-answer', callId }), ...withKey(hints.hold) } as const]
      : []),
    { type: 'normal', label: 'End and answer', enabled: true, action: command({ type: 'answer', callId }), ...withKey(hints.answer) },
    { type: 'normal', label: 'Decline', enabled: true, action: command({ type: 'decline', callId }), ...withKey(hints.decline) },
    { type: 'separator' },
  ];
}

/** Who can take the call: the menu's contacts who are online and free to answer (favorites first), not the one it is with. */
function transferTargets(state: DesktopState, call: InCall): TrayMenuItem {
  const free = state.contacts.filter(
    (contact) => contact.status !== 'offline' && contact.status !== 'busy' && contact.status !== 'dnd' && contact.username !== call.peer.username,
  );
  const submenu = contactGroups(free, (contact) => ({
    type: 'normal',
    label: menuText(`${contact.displayName} — ${STATUS_WORDS[contact.status]}`),
    enabled: true,
    action: command({ type: 'transfer', callId: call.callId, to: contact.username }),
  }));
  return {
    type: 'normal',
    label: 'Transfer to',
    enabled: free.length > 0,
    submenu: submenu.length === 0 ? [{ type: 'normal', label: 'No one free to take it', enabled: false }] : submenu,
  };
}

/**
 * Transfer and merge while they apply: a call of two can go to a contact
 * (or anyone, from the window's panel); a blind transfer ringing can be
 * taken back; with a call held aside, its other side can go to this call's
 * (attended transfer), or the two calls become one (merge).
 */
function transferItems(state: DesktopState, call: InCall, hints: ShortcutHints): TrayMenuItem[] {
  const { transfer, aside } = call;
  switch (transfer?.kind) {
    case undefined:
      return [];
    case 'possible':
      return [
        transferTargets(state, call),
        { type: 'normal', label: 'Transfer…', enabled: true, action: command({ type: 'transfer-picker' }), ...withKey(hints.transfer) },
      ];
    case 'ringing':
      return [
        { type: 'normal', label: menuText(`Transferring ${call.peer.displayName} to ${transfer.to.displayName}…`), enabled: false },
        { type: 'normal', label: 'Take back the transfer', enabled: true, action: command({ type: 'take-back-transfer', callId: call.callId }) },
      ];
    case 'consulting':
      // The schema keeps `consulting` to calls with one held aside.
      if (aside === undefined) return [];
      return [
        {
          type: 'normal',
          label: menuText(`Transfer ${aside.peer.displayName} to ${call.peer.displayName}`),
          enabled: true,
          action: command({ type: 'complete-transfer', callId: aside.callId }),
          ...withKey(hints.transfer),
        },
        { type: 'normal', label: 'Merge calls', enabled: true, action: command({ type: 'merge', callId: aside.callId }), ...withKey(hints.merge) },
      ];
    default:
      return assertNever(transfer);
  }
}

function inCallItems(state: DesktopState, call: InCall, hints: ShortcutHints, platform: NodeJS.Platform): TrayMenuItem[] {
  return [
    ...waitingItems(call, hints),
    // The call held aside: switching to it holds this one in its place (a call that can be held).
    ...(call.aside === undefined
      ? []
      : [{ type: 'normal', label: menuText(`Switch to ${call.aside.peer.displayName} (on hold)`), enabled: call.hold !== undefined, action: command({ type: 'swap', callId: call.aside.callId }) } as const]),
    { type: 'normal', label: menuText(`${call.hold?.mine === true || call.hold?.theirs === true ? 'On hold' : 'In call'} with ${call.peer.displayName}`), enabled: false },
    // The same words held or not: the menu is not rebuilt on every press (the icon shows it).
    ...(call.pushToTalk === undefined
      ? []
      : [{ type: 'normal', label: `Push to talk: hold ${keyName(call.pushToTalk.key, platform === 'darwin')}`, enabled: false } as const]),
    { type: 'normal', label: call.muted ? 'Unmute' : 'Mute', enabled: true, action: command({ type: 'toggle-mute' }), ...withKey(hints.mute) },
    ...(call.hold === undefined
      ? []
      : [{ type: 'normal', label: call.hold.mine ? 'Resume call' : 'Hold call', enabled: true, action: command({ type: 'toggle-hold' }), ...withKey(hints.hold) } as const]),
    ...transferItems(state, call, hints),
    // With a call waiting, the decline shortcut declines that one (waitingItems), not this call.
    { type: 'normal', label: 'Hang up', enabled: true, action: command({ type: 'hangup' }), ...(call.waiting ? {} : withKey(hints.decline)) },
    { type: 'separator' },
  ];
}

/** The items above the statuses while a call rings or goes on; none otherwise. */
export function callItems(state: DesktopState, hints: ShortcutHints, platform: NodeJS.Platform): TrayMenuItem[] {
  const { call } = state;
  switch (call.kind) {
    case 'ringing-in':
      return [
        { type: 'normal', label: menuText(`${call.peer.displayName} is calling`), enabled: false },
        { type: 'normal', label: 'Answer', enabled: true, action: command({ type: 'answer', callId: call.callId }), ...withKey(hints.answer) },
        { type: 'normal', label: 'Decline', enabled: true, action: command({ type: 'decline', callId: call.callId }), ...withKey(hints.decline) },
        { type: 'separator' },
      ];
    case 'in-call':
      return inCallItems(state, call, hints, platform);
    case 'ringing-out':
      return [
        { type: 'normal', label: menuText(`Calling ${call.peer.displayName}…`), enabled: false },
        { type: 'normal', label: 'Hang up', enabled: true, action: command({ type: 'hangup' }), ...withKey(hints.decline) },
        { type: 'separator' },
      ];
    case 'none':
      return [];
    default:
      return assertNever(call);
  }
}
