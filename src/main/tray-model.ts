/**
 * What the tray shows for a DesktopState: which icon, the tooltip in words,
 * and the context menu as plain data. Pure (no electron), so every state is
 * table-tested; tray.ts turns the result into a Tray, a NativeImage and a
 * Menu.
 */
import type { DesktopCall, DesktopState, SettablePresence } from '../shared/desktop-state.js';
import { keyName } from '../shared/push-to-talk.js';
import { callItems } from './tray-call-menu.js';
import { assertNever, command, contactGroups, menuText, STATUS_WORDS } from './tray-items.js';
import type { ShortcutHints, TrayMenuItem } from './tray-items.js';

export { menuText, STATUS_WORDS } from './tray-items.js';
export type { ShortcutHints, TrayAction, TrayMenuItem } from './tray-items.js';

/** The icon states drawn by scripts/make-tray-icons.mjs (build/tray/). */
export const TRAY_ICON_STATES = ['available', 'away', 'dnd', 'offline', 'ringing', 'in-call', 'in-call-muted', 'in-call-talking'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

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

const STATUS_LABELS: Record<SettablePresence, string> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
};

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

function callSubmenu(state: DesktopState, canDial: boolean): TrayMenuItem {
  const contacts = state.contacts;
  const item = (contact: DesktopState['contacts'][number]): TrayMenuItem => ({
    type: 'normal',
    label: menuText(`${contact.displayName} — ${STATUS_WORDS[contact.status]}`),
    enabled: contact.status !== 'offline',
    action: command({ type: 'dial', username: contact.username }),
  });
  const submenu: TrayMenuItem[] = contacts.length === 0 ? [{ type: 'normal', label: 'No one online', enabled: false }] : contactGroups(contacts, item);
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
