/**
 * The tray menu's top part while a call rings or goes on: who it is with,
 * Answer / Decline, a call waiting, the call held aside, mute, hold, hang
 * up. Each item names the global shortcut doing
 * the same while that shortcut works. Pure: no electron.
 */
import type { DesktopCall, DesktopState } from '../shared/desktop-state.js';
import { keyName } from '../shared/push-to-talk.js';
import { assertNever, command, menuText, withKey } from './tray-items.js';
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
