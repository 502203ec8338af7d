/**
 * What the tray shows for a DesktopState: which icon, the tooltip in words,
 * and the context menu as plain data. Pure (no electron), so every state is
 * table-tested; tray.ts turns the result into a Tray, a NativeImage and a
 * Menu.
 */
import type { DesktopCall, DesktopCommand, DesktopState, Presence, SettablePresence } from '../shared/desktop-state.js';
import { keyName } from '../shared/push-to-talk.js';

/** The icon states drawn by scripts/make-tray-icons.mjs (build/tray/). */
export const TRAY_ICON_STATES = ['available', 'away', 'dnd', 'offline', 'ringing', 'in-call', 'in-call-muted', 'in-call-talking'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

/** What a menu item does when clicked. */
export type TrayAction = { kind: 'command'; command: DesktopCommand } | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'separator' }
  | {
      type: 'normal' | 'radio';
      label: string;
      enabled: boolean;
      checked?: boolean;
      action?: TrayAction;
      /** Shown next to the label only (never registered by the menu): the global shortcut doing the same. */
      accelerator?: string;
      submenu?: TrayMenuItem[];
    };

/** The global shortcuts that work right now (registered), by what they do. */
export interface ShortcutHints {
  answer?: string;
  decline?: string;
  mute?: string;
  hold?: string;
  show?: string;
}

export interface TrayInput {
  state: DesktopState;
  platform: NodeJS.Platform;
  /** Only shortcuts that are registered: a hint never names a key that does not work. */
  shortcuts?: ShortcutHints;
}

export interface TrayView {
  /** File name in build/tray/, e.g. 'in-call-muted-missed.png' or 'awayTemplate.png'. */
  icon: string;
  /** macOS: a template image the system tints for light and dark menu bars. */
  template: boolean;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;
/** Longest name shown in the tooltip before it is shortened with an ellipsis. */
const TOOLTIP_NAME_MAX = 40;

export const STATUS_WORDS: Record<Presence, string> = {
  available: 'available',
  away: 'away',
  dnd: 'do not disturb',
  busy: 'busy',
  offline: 'offline',
};

const STATUS_LABELS: Record<SettablePresence, string> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
};

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

export function trayIconState(state: DesktopState): TrayIconState {
  const { call } = state;
  switch (call.kind) {
    case 'ringing-in':
      return 'ringing';
    case 'in-call':
      if (call.waiting) return 'ringing';
      if (call.muted) return 'in-call-muted';
      return call.pushToTalk?.talking === true ? 'in-call-talking' : 'in-call';
    case 'ringing-out':
      return 'in-call';
    case 'none':
      break;
    default:
      return assertNever(call);
  }
  if (state.connection !== 'online') return 'offline';
  switch (state.status) {
    case 'available':
    case 'away':
    case 'dnd':
    case 'offline':
      return state.status;
    case 'busy':
      return 'in-call';
    default:
      return assertNever(state.status);
  }
}

export function trayIconFile(state: DesktopState, platform: NodeJS.Platform): string {
  // The one badge says "something to look at": a missed call, or a message not heard yet.
  const badge = state.missedCalls > 0 || unheard(state) > 0 ? '-missed' : '';
  return `${trayIconState(state)}${badge}${platform === 'darwin' ? 'Template' : ''}.png`;
}

/** An accelerator as people read it: "Ctrl+Alt+A", or "⌃⌥A" style on macOS ("⌘⌥A"). */
export function describeAccelerator(accelerator: string, platform: NodeJS.Platform): string {
  const mac = platform === 'darwin';
  const names: Record<string, string> = mac
    ? { commandorcontrol: '⌘', cmdorctrl: '⌘', command: '⌘', cmd: '⌘', control: '⌃', ctrl: '⌃', alt: '⌥', option: '⌥', shift: '⇧', super: '⌘', meta: '⌘' }
    : { commandorcontrol: 'Ctrl', cmdorctrl: 'Ctrl', control: 'Ctrl', ctrl: 'Ctrl', alt: 'Alt', option: 'Alt', altgr: 'AltGr', shift: 'Shift', super: 'Super', meta: 'Super', command: 'Super', cmd: 'Super' };
  const parts = accelerator.split('+').map((part, index, all) => (index === all.length - 1 && part === '' ? 'Plus' : part));
  const words = parts.filter((part) => part !== '').map((part) => names[part.toLowerCase()] ?? part);
  return words.join(mac ? '' : '+');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function missedText(count: number): string {
  if (count === 0) return '';
  return count === 1 ? ', 1 missed call' : `, ${count} missed calls`;
}

/** Voicemail not heard yet (0 from a window that does not say). */
export const unheard = (state: DesktopState): number => state.voicemail?.unheard ?? 0;

function voicemailText(count: number): string {
  if (count === 0) return '';
  return count === 1 ? ', 1 new voicemail' : `, ${count} new voicemails`;
}

/** Who holds a call on hold, in words; '' when it is not on hold. */
function holdWords(call: Extract<DesktopCall, { kind: 'in-call' }>): string {
  if (call.hold?.mine === true) return ' (on hold)';
  return call.hold?.theirs === true ? ' (they put you on hold)' : '';
}

/** How the microphone is in a call: muted, push-to-talk (held or not), or open (''). */
function microphoneWords(call: Extract<DesktopCall, { kind: 'in-call' }>, platform: NodeJS.Platform): string {
  if (holdWords(call) !== '') return holdWords(call);
  if (call.muted) return ' (muted)';
  if (call.pushToTalk === undefined) return '';
  return call.pushToTalk.talking ? ' (talking)' : ` (hold ${keyName(call.pushToTalk.key, platform === 'darwin')} to talk)`;
}

function stateWords(state: DesktopState, name: (text: string) => string, platform: NodeJS.Platform): string {
  const { call } = state;
  switch (call.kind) {
    case 'ringing-in':
      return `ringing: ${name(call.peer.displayName)} is calling`;
    case 'ringing-out':
      return `calling ${name(call.peer.displayName)}`;
    case 'in-call':
      return `in call with ${name(call.peer.displayName)}${microphoneWords(call, platform)}${call.waiting ? `; ${name(call.waiting.peer.displayName)} is calling` : ''}`;
    case 'none':
      break;
    default:
      return assertNever(call);
  }
  switch (state.connection) {
    case 'signed-out':
      return 'signed out';
    case 'connecting':
      return 'connecting…';
    case 'offline':
      return 'offline';
    case 'online':
      return STATUS_WORDS[state.status];
    default:
      return assertNever(state.connection);
  }
}

function hintLine(state: DesktopState, hints: ShortcutHints, platform: NodeJS.Platform): string {
  const hint = (accelerator: string | undefined, does: string) =>
    accelerator === undefined ? [] : [`${describeAccelerator(accelerator, platform)} ${does}`];
  switch (state.call.kind) {
    case 'ringing-in':
      return [...hint(hints.answer, 'answers'), ...hint(hints.decline, 'declines')].join(' · ');
    case 'in-call':
      if (state.call.waiting) return [...hint(hints.answer, 'ends this call and answers'), ...hint(hints.decline, 'declines')].join(' · ');
      return [
        ...hint(hints.mute, state.call.muted ? 'unmutes' : 'mutes'),
        ...(state.call.hold === undefined ? [] : hint(hints.hold, state.call.hold.mine ? 'resumes' : 'holds')),
        ...hint(hints.decline, 'hangs up'),
      ].join(' · ');
    case 'ringing-out':
      return hint(hints.decline, 'hangs up').join('');
    case 'none':
      return '';
    default:
      return assertNever(state.call);
  }
}

/** "Parley — in call with Bob (muted), 2 missed calls", then the working shortcuts on a second line if they fit. */
export function trayTooltip(state: DesktopState, platform: NodeJS.Platform, hints: ShortcutHints = {}): string {
  const first = `Parley — ${stateWords(state, (text) => shorten(text, TOOLTIP_NAME_MAX), platform)}${missedText(state.missedCalls)}${voicemailText(unheard(state))}`;
  const second = hintLine(state, hints, platform);
  const both = second === '' ? first : `${first}\n${second}`;
  return both.length <= TOOLTIP_MAX ? both : shorten(first, TOOLTIP_MAX);
}

/** Menu labels are the user's text: '&' would become a mnemonic on Windows and Linux. */
export function menuText(text: string): string {
  return text.replaceAll('&', '&&');
}

const command = (value: DesktopCommand): TrayAction => ({ kind: 'command', command: value });

function callSubmenu(state: DesktopState, canDial: boolean): TrayMenuItem {
  const contacts = state.contacts;
  const item = (contact: DesktopState['contacts'][number]): TrayMenuItem => ({
    type: 'normal',
    label: menuText(`${contact.displayName} — ${STATUS_WORDS[contact.status]}`),
    enabled: contact.status !== 'offline',
    action: command({ type: 'dial', username: contact.username }),
  });
  const favorites = contacts.filter((contact) => contact.favorite).map(item);
  const others = contacts.filter((contact) => !contact.favorite).map(item);
  const submenu: TrayMenuItem[] =
    contacts.length === 0
      ? [{ type: 'normal', label: 'No one online', enabled: false }]
      : [...favorites, ...(favorites.length > 0 && others.length > 0 ? [{ type: 'separator' } as const] : []), ...others];
  return { type: 'normal', label: 'Call', enabled: canDial && contacts.length > 0, submenu };
}

function recentSubmenu(state: DesktopState, canDial: boolean): TrayMenuItem {
  const calls: TrayMenuItem[] = state.recent.map((call) => ({
    type: 'normal',
    label: menuText(`${call.peer.displayName} — ${call.missed ? 'missed' : call.direction}`),
    enabled: canDial,
    action: command({ type: 'dial', username: call.peer.username }),
  }));
  const submenu: TrayMenuItem[] = [
    ...(calls.length === 0 ? [{ type: 'normal', label: 'No recent calls', enabled: false } as const] : calls),
    { type: 'separator' },
    { type: 'normal', label: 'Show history', enabled: true, action: command({ type: 'show', tab: 'history' }) },
  ];
  return { type: 'normal', label: 'Recent', enabled: state.connection !== 'signed-out', submenu };
}

/** Rooms joined lately, and the way to any other (the window's Join room form). */
function roomsSubmenu(state: DesktopState, canDial: boolean): TrayMenuItem {
  const rooms: TrayMenuItem[] = state.rooms.map((name) => ({
    type: 'normal',
    label: menuText(name),
    enabled: canDial,
    action: command({ type: 'join-room', name }),
  }));
  const submenu: TrayMenuItem[] = [
    ...(rooms.length === 0 ? [{ type: 'normal', label: 'No recent rooms', enabled: false } as const] : rooms),
    { type: 'separator' },
    { type: 'normal', label: 'Another room…', enabled: true, action: command({ type: 'show', tab: 'contacts' }) },
  ];
  return { type: 'normal', label: 'Join room', enabled: state.connection !== 'signed-out', submenu };
}

/** A call waiting while in a call: who calls, Hold and answer (a call of two; the hold shortcut), End and answer, Decline (the answer and decline shortcuts do the same). */
function waitingItems(call: Extract<DesktopCall, { kind: 'in-call' }>, hints: ShortcutHints): TrayMenuItem[] {
  if (!call.waiting) return [];
  const { callId, peer } = call.waiting;
  const withKey = (accelerator: string | undefined) => (accelerator === undefined ? {} : { accelerator });
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

function callItems(state: DesktopState, hints: ShortcutHints, platform: NodeJS.Platform): TrayMenuItem[] {
  const { call } = state;
  const withKey = (accelerator: string | undefined) => (accelerator === undefined ? {} : { accelerator });
  switch (call.kind) {
    case 'ringing-in':
      return [
        { type: 'normal', label: menuText(`${call.peer.displayName} is calling`), enabled: false },
        { type: 'normal', label: 'Answer', enabled: true, action: command({ type: 'answer', callId: call.callId }), ...withKey(hints.answer) },
        { type: 'normal', label: 'Decline', enabled: true, action: command({ type: 'decline', callId: call.callId }), ...withKey(hints.decline) },
        { type: 'separator' },
      ];
    case 'in-call':
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

export function trayMenu(state: DesktopState, hints: ShortcutHints = {}, platform: NodeJS.Platform = 'linux'): TrayMenuItem[] {
  const signedIn = state.connection !== 'signed-out';
  const canDial = state.connection === 'online' && state.call.kind === 'none';
  const statuses: TrayMenuItem[] = (['available', 'away', 'dnd'] as const).map((status) => ({
    type: 'radio',
    label: STATUS_LABELS[status],
    enabled: signedIn,
    checked: signedIn && state.chosenStatus === status,
    action: command({ type: 'set-status', status }),
  }));
  return [
    ...callItems(state, hints, platform),
    ...statuses,
    { type: 'separator' },
    callSubmenu(state, canDial),
    recentSubmenu(state, canDial),
    roomsSubmenu(state, canDial),
    {
      type: 'normal',
      label: unheard(state) > 0 ? `Voicemail — ${unheard(state)} new` : 'Voicemail',
      enabled: signedIn,
      action: command({ type: 'show', tab: 'voicemail' }),
    },
    { type: 'separator' },
    { type: 'normal', label: 'Show Parley', enabled: true, action: command({ type: 'show' }), ...(hints.show === undefined ? {} : { accelerator: hints.show }) },
    { type: 'normal', label: 'Quit', enabled: true, action: { kind: 'quit' } },
  ];
}

export function trayView(input: TrayInput): TrayView {
  const hints = input.shortcuts ?? {};
  return {
    icon: trayIconFile(input.state, input.platform),
    template: input.platform === 'darwin',
    tooltip: trayTooltip(input.state, input.platform, hints),
    menu: trayMenu(input.state, hints, input.platform),
  };
}
