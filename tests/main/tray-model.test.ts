/** State → tray icon, tooltip and menu, table by table (src/main/tray-model.ts is pure). */
import { describe, expect, it } from 'vitest';
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import {
  describeAccelerator,
  menuText,
  TOOLTIP_MAX,
  trayIconFile,
  trayMenu,
  trayTooltip,
} from '../../src/main/tray-model.js';
import type { TrayMenuItem } from '../../src/main/tray-model.js';
import { bob, calling, cyd, inCall, inCallHold, inCallPushToTalk, inCallTransfer, inCallWaiting, ringing, signedIn } from './states.js';

const withStatus = (status: DesktopState['status'], chosenStatus: DesktopState['chosenStatus'] = 'available'): DesktopState => ({
  ...signedIn,
  status,
  chosenStatus,
});
const missed = (state: DesktopState, missedCalls: number): DesktopState => ({ ...state, missedCalls });

describe('tray icon and tooltip for each state', () => {
  const rows: [string, DesktopState, string, string][] = [
    ['signed out', SIGNED_OUT, 'offline', 'Parley — signed out'],
    ['connecting', { ...signedIn, connection: 'connecting' }, 'offline', 'Parley — connecting…'],
    ['disconnected from the server', { ...signedIn, connection: 'offline' }, 'offline', 'Parley — offline'],
    ['available', withStatus('available'), 'available', 'Parley — available'],
    ['away', withStatus('away', 'away'), 'away', 'Parley — away'],
    ['do not disturb', withStatus('dnd', 'dnd'), 'dnd', 'Parley — do not disturb'],
    ['busy on another device', withStatus('busy'), 'in-call', 'Parley — busy'],
    ['ringing', ringing(), 'ringing', 'Parley — ringing: Bob is calling'],
    ['calling out', calling(), 'in-call', 'Parley — calling Bob'],
    ['in a call', inCall(), 'in-call', 'Parley — in call with Bob'],
    ['in a call, muted', inCall(true), 'in-call-muted', 'Parley — in call with Bob (muted)'],
    ['push-to-talk, key up', inCallPushToTalk(false), 'in-call', 'Parley — in call with Bob (hold F8 to talk)'],
    ['push-to-talk, key held', inCallPushToTalk(true, 'ControlRight'), 'in-call-talking', 'Parley — in call with Bob (talking)'],
    ['push-to-talk, muted: the key does nothing', inCallPushToTalk(true, 'F8', true), 'in-call-muted', 'Parley — in call with Bob (muted)'],
    ['push-to-talk held, with missed calls', missed(inCallPushToTalk(true), 1), 'in-call-talking-missed', 'Parley — in call with Bob (talking), 1 missed call'],
    ['a call that can be held, not on hold', inCallHold(false), 'in-call', 'Parley — in call with Bob'],
    ['on hold by this side', inCallHold(true), 'in-call', 'Parley — in call with Bob (on hold)'],
    ['on hold by the other side', inCallHold(false, true), 'in-call', 'Parley — in call with Bob (they put you on hold)'],
    ['a call waiting while in a call', inCallWaiting(), 'ringing', 'Parley — in call with Bob; Cyd Charisse is calling'],
    ['in a call while the server is unreachable', { ...inCall(), connection: 'offline' }, 'in-call', 'Parley — in call with Bob'],
    ['one missed call', missed(signedIn, 1), 'available-missed', 'Parley — available, 1 missed call'],
    ['2 missed calls', missed(signedIn, 2), 'available-missed', 'Parley — available, 2 missed calls'],
    ['muted with missed calls', missed(inCall(true), 2), 'in-call-muted-missed', 'Parley — in call with Bob (muted), 2 missed calls'],
    ['offline with missed calls', missed({ ...signedIn, connection: 'offline' }, 3), 'offline-missed', 'Parley — offline, 3 missed calls'],
  ];

  it.each(rows)('%s', (_name, state, icon, tooltip) => {
    expect(trayIconFile(state, 'linux')).toBe(`${icon}.png`);
    expect(trayIconFile(state, 'win32')).toBe(`${icon}.png`);
    expect(trayIconFile(state, 'darwin')).toBe(`${icon}Template.png`);
    expect(trayTooltip(state, 'linux')).toBe(tooltip);
  });

  it('names the shortcuts that work on a second line, and only those', () => {
    const hints = { answer: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+H', mute: 'CommandOrControl+Alt+M' };
    expect(trayTooltip(ringing(), 'win32', hints)).toBe('Parley — ringing: Bob is calling\nCtrl+Alt+A answers · Ctrl+Alt+H declines');
    expect(trayTooltip(ringing(), 'win32', { decline: hints.decline })).toBe('Parley — ringing: Bob is calling\nCtrl+Alt+H declines');
    expect(trayTooltip(inCall(true), 'darwin', hints)).toBe('Parley — in call with Bob (muted)\n⌘⌥M unmutes · ⌘⌥H hangs up');
    expect(trayTooltip(inCall(), 'linux', {})).toBe('Parley — in call with Bob');
    // Hold is named only for a call that can be held.
    const hold = { ...hints, hold: 'CommandOrControl+Alt+O' };
    expect(trayTooltip(inCall(), 'linux', hold)).toBe('Parley — in call with Bob\nCtrl+Alt+M mutes · Ctrl+Alt+H hangs up');
    expect(trayTooltip(inCallHold(false), 'linux', hold)).toBe('Parley — in call with Bob\nCtrl+Alt+M mutes · Ctrl+Alt+O holds · Ctrl+Alt+H hangs up');
    expect(trayTooltip(inCallHold(true), 'linux', hold)).toBe('Parley — in call with Bob (on hold)\nCtrl+Alt+M mutes · Ctrl+Alt+O resumes · Ctrl+Alt+H hangs up');
    expect(trayTooltip(signedIn, 'linux', hints)).toBe('Parley — available');
  });

  it('stays within the 127 characters Windows shows, shortening long names', () => {
    const longName = { username: 'bob', displayName: 'B'.repeat(64) };
    const state = missed(inCall(true, 'c1', longName), 100_000);
    const hints = { decline: 'CommandOrControl+Shift+Alt+F12', mute: 'CommandOrControl+Shift+Alt+F11' };
    const tooltip = trayTooltip(state, 'win32', hints);
    expect(tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(tooltip).toMatch(/^Parley — in call with B{39}… \(muted\), 100000 missed calls/);
  });
});

describe('describeAccelerator', () => {
  it.each([
    ['CommandOrControl+Alt+A', 'linux', 'Ctrl+Alt+A'],
    ['CommandOrControl+Alt+A', 'win32', 'Ctrl+Alt+A'],
    ['CommandOrControl+Alt+A', 'darwin', '⌘⌥A'],
    ['Shift+Super+F5', 'linux', 'Shift+Super+F5'],
    ['Ctrl+Shift+Plus', 'win32', 'Ctrl+Shift+Plus'],
  ] as const)('%s on %s is %s', (accelerator, platform, text) => {
    expect(describeAccelerator(accelerator, platform)).toBe(text);
  });
});

/** The menu as labels: '---' separators, '(x)' checked radio, '!' disabled, submenus nested. */
function outline(items: readonly TrayMenuItem[]): unknown[] {
  return items.map((item) => {
    if (item.type === 'separator') return '---';
    const mark = item.type === 'radio' ? (item.checked === true ? '(x) ' : '( ) ') : '';
    const label = `${item.enabled ? '' : '!'}${mark}${item.label}${item.accelerator === undefined ? '' : ` [${item.accelerator}]`}`;
    return item.submenu === undefined ? label : { [label]: outline(item.submenu) };
  });
}

const RECENT = ['Bob — missed', 'Cyd Charisse — outgoing', '---', 'Show history'];

describe('tray menu', () => {
  it('signed out: statuses disabled, nothing to call', () => {
    expect(outline(trayMenu(SIGNED_OUT))).toEqual([
      '!( ) Available',
      '!( ) Away',
      '!( ) Do not disturb',
      '---',
      { '!Call': ['!No one online'] },
      { '!Recent': ['!No recent calls', '---', 'Show history'] },
      { '!Join room': ['!No recent rooms', '---', 'Another room…'] },
      '!Voicemail',
      '---',
      'Show Parley',
      'Quit',
    ]);
  });

  it('signed in: chosen status checked, favorites then online contacts with their status, recent calls with missed ones marked', () => {
    const state: DesktopState = {
      ...signedIn,
      chosenStatus: 'away',
      status: 'away',
      contacts: [
        { ...bob, status: 'available', favorite: true },
        { username: 'dee', displayName: 'Dee', status: 'offline', favorite: true },
        { username: 'cyd', displayName: 'Cyd Charisse', status: 'dnd', favorite: false },
      ],
    };
    expect(outline(trayMenu(state, { show: 'CommandOrControl+Alt+P' }))).toEqual([
      '( ) Available',
      '(x) Away',
      '( ) Do not disturb',
      '---',
      { Call: ['Bob — available', '!Dee — offline', '---', 'Cyd Charisse — do not disturb'] },
      { Recent: RECENT },
      { 'Join room': ['!No recent rooms', '---', 'Another room…'] },
      'Voicemail',
      '---',
      'Show Parley [CommandOrControl+Alt+P]',
      'Quit',
    ]);
  });

  it('no separator in Call when there are only favorites or only others', () => {
    const onlyOthers = { ...signedIn, contacts: [{ ...bob, status: 'available' as const, favorite: false }] };
    expect(outline(trayMenu(onlyOthers))[4]).toEqual({ Call: ['Bob — available'] });
  });

  it('ringing: who calls, Answer and Decline on top (with the working shortcuts), calling out disabled', () => {
    expect(outline(trayMenu(ringing(), { answer: 'CommandOrControl+Alt+A' }))).toEqual([
      '!Bob is calling',
      'Answer [CommandOrControl+Alt+A]',
      'Decline',
      '---',
      '(x) Available',
      '( ) Away',
      '( ) Do not disturb',
      '---',
      { '!Call': ['Bob — available', '---', 'Cyd Charisse — away'] },
      { Recent: ['!Bob — missed', '!Cyd Charisse — outgoing', '---', 'Show history'] },
      { 'Join room': ['!No recent rooms', '---', 'Another room…'] },
      'Voicemail',
      '---',
      'Show Parley',
      'Quit',
    ]);
    const items = trayMenu(ringing('c9'));
    const action = (label: string) => items.find((item) => item.type !== 'separator' && item.label === label);
    expect(action('Answer')).toMatchObject({ action: { kind: 'command', command: { type: 'answer', callId: 'c9' } } });
    expect(action('Decline')).toMatchObject({ action: { kind: 'command', command: { type: 'decline', callId: 'c9' } } });
  });

  it('Join room offers the rooms joined lately (newest first) while free to call; any other room opens the window', () => {
    const state: DesktopState = { ...signedIn, rooms: ['standup', 'retro'] };
    const menu = trayMenu(state);
    expect(outline(menu)[6]).toEqual({ 'Join room': ['standup', 'retro', '---', 'Another room…'] });
    const join = menu.find((item) => item.type !== 'separator' && item.label === 'Join room');
    const sub = join?.type === 'normal' ? (join.submenu ?? []) : [];
    expect(sub[0]).toMatchObject({ action: { kind: 'command', command: { type: 'join-room', name: 'standup' } } });
    expect(sub.at(-1)).toMatchObject({ action: { kind: 'command', command: { type: 'show', tab: 'contacts' } } });
    // In a call, the rooms wait.
    expect(outline(trayMenu({ ...inCall(false), rooms: ['standup'] })).find((i) => typeof i === 'object' && i !== null && 'Join room' in i)).toEqual({
      'Join room': ['!standup', '---', 'Another room…'],
    });
  });

  it('in a call: Mute or Unmute, and Hang up', () => {
    expect(outline(trayMenu(inCall(false))).slice(0, 4)).toEqual(['!In call with Bob', 'Mute', 'Hang up', '---']);
    expect(outline(trayMenu(inCall(true))).slice(0, 4)).toEqual(['!In call with Bob', 'Unmute', 'Hang up', '---']);
  });

  it('a call of two: Hold call, or Resume call while this side holds it; "On hold" whoever holds it', () => {
    expect(outline(trayMenu(inCallHold(false))).slice(0, 5)).toEqual(['!In call with Bob', 'Mute', 'Hold call', 'Hang up', '---']);
    expect(outline(trayMenu(inCallHold(true))).slice(0, 5)).toEqual(['!On hold with Bob', 'Mute', 'Resume call', 'Hang up', '---']);
    expect(outline(trayMenu(inCallHold(false, true))).slice(0, 5)).toEqual(['!On hold with Bob', 'Mute', 'Hold call', 'Hang up', '---']);
    const item = trayMenu(inCallHold(false), { hold: 'CommandOrControl+Alt+O' }).find((i) => i.type === 'normal' && i.label === 'Hold call');
    expect(item).toMatchObject({ action: { kind: 'command', command: { type: 'toggle-hold' } }, accelerator: 'CommandOrControl+Alt+O' });
  });

  it('a call waiting: who calls, Hold and answer, End and answer and Decline on top with the hold, answer and decline keys; Hang up without the decline key', () => {
    const hints = { answer: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+H', hold: 'CommandOrControl+Alt+O' };
    const menu = trayMenu(inCallWaiting(), hints);
    expect(outline(menu).slice(0, 10)).toEqual([
      '!Cyd Charisse is calling',
      'Hold and answer [CommandOrControl+Alt+O]',
      'End and answer [CommandOrControl+Alt+A]',
      'Decline [CommandOrControl+Alt+H]',
      '---',
      '!In call with Bob',
      'Mute',
      'Hold call [CommandOrControl+Alt+O]',
      'Hang up',
      '---',
    ]);
    expect(menu[1]).toMatchObject({ action: { kind: 'command', command: { type: 'hold-and-answer', callId: 'c2' } }, accelerator: hints.hold });
    expect(menu[2]).toMatchObject({ action: { kind: 'command', command: { type: 'answer', callId: 'c2' } }, accelerator: hints.answer });
    expect(menu[3]).toMatchObject({ action: { kind: 'command', command: { type: 'decline', callId: 'c2' } }, accelerator: hints.decline });
    expect(menu[8]).not.toHaveProperty('accelerator');
    expect(trayTooltip(inCallWaiting(), 'linux', hints)).toBe('Parley — in call with Bob; Cyd Charisse is calling\nCtrl+Alt+A ends this call and answers · Ctrl+Alt+H declines');
  });

  it('a call held aside for this one (hold and answer): Switch to it under the call; no Hold and answer for another waiting call', () => {
    const state = inCallWaiting();
    if (state.call.kind !== 'in-call') throw new Error('not in a call');
    const items = trayMenu({ ...state, call: { ...state.call, aside: { callId: 'c0', peer: cyd } } });
    expect(outline(items).slice(0, 6)).toEqual(['!Cyd Charisse is calling', 'End and answer', 'Decline', '---', 'Switch to Cyd Charisse (on hold)', '!In call with Bob']);
    expect(items[4]).toMatchObject({ action: { kind: 'command', command: { type: 'swap', callId: 'c0' } } });
  });

  describe('transfer and merge', () => {
    const T = 'CommandOrControl+Alt+T';
    const G = 'CommandOrControl+Alt+G';
    const contact = (username: string, status: DesktopState['contacts'][number]['status'], favorite = false) => ({ username, displayName: username.toUpperCase(), status, favorite });
    const team: DesktopState = {
      ...signedIn,
      contacts: [
        { ...bob, status: 'busy', favorite: true },
        contact('dee', 'available', true),
        contact('eve', 'dnd', true),
        contact('fay', 'away'),
        contact('gus', 'offline'),
        contact('hal', 'busy'),
        { ...cyd, status: 'available', favorite: false },
      ],
    };
    const item = (items: readonly TrayMenuItem[], label: string) => items.find((i) => i.type === 'normal' && i.label === label);

    it('a call of two: Transfer to ▸ the contacts free to take it (favorites first, not the one it is with), and Transfer… with its key', () => {
      const menu = trayMenu(inCallTransfer({ kind: 'possible' }, 'c1', team), { transfer: T, merge: G });
      expect(outline(menu).slice(0, 7)).toEqual([
        '!In call with Bob',
        'Mute',
        'Hold call',
        { 'Transfer to': ['DEE — available', '---', 'FAY — away', 'Cyd Charisse — available'] },
        `Transfer… [${T}]`,
        'Hang up',
        '---',
      ]);
      const to = item(menu, 'Transfer to');
      const targets = to?.type === 'normal' ? (to.submenu ?? []) : [];
      expect(targets[0]).toMatchObject({ action: { kind: 'command', command: { type: 'transfer', callId: 'c1', to: 'dee' } } });
      expect(targets.at(-1)).toMatchObject({ action: { kind: 'command', command: { type: 'transfer', callId: 'c1', to: 'cyd' } } });
      expect(item(menu, 'Transfer…')).toMatchObject({ action: { kind: 'command', command: { type: 'transfer-picker' } } });
    });

    it('nobody free to take it: Transfer to is there but off; Transfer… still picks anyone in the window', () => {
      const alone = { ...team, contacts: team.contacts.filter((c) => c.status !== 'available' && c.status !== 'away') };
      expect(outline(trayMenu(inCallTransfer({ kind: 'possible' }, 'c1', alone))).slice(3, 5)).toEqual([{ '!Transfer to': ['!No one free to take it'] }, 'Transfer…']);
    });

    it('a blind transfer ringing: says whom to whom, and Take back the transfer (no key)', () => {
      const menu = trayMenu(inCallTransfer({ kind: 'ringing', to: cyd }, 'c1'), { transfer: T, merge: G });
      expect(outline(menu).slice(0, 6)).toEqual(['!In call with Bob', 'Mute', 'Hold call', '!Transferring Bob to Cyd Charisse…', 'Take back the transfer', 'Hang up']);
      expect(item(menu, 'Take back the transfer')).toMatchObject({ action: { kind: 'command', command: { type: 'take-back-transfer', callId: 'c1' } } });
    });

    it('a call held aside: Transfer <held> to <this call>, and Merge calls, both for the held call, with their keys', () => {
      const menu = trayMenu(inCallTransfer({ kind: 'consulting' }, 'c1'), { transfer: T, merge: G });
      expect(outline(menu).slice(0, 8)).toEqual([
        'Switch to Cyd Charisse (on hold)',
        '!In call with Bob',
        'Mute',
        'Hold call',
        `Transfer Cyd Charisse to Bob [${T}]`,
        `Merge calls [${G}]`,
        'Hang up',
        '---',
      ]);
      expect(item(menu, 'Transfer Cyd Charisse to Bob')).toMatchObject({ action: { kind: 'command', command: { type: 'complete-transfer', callId: 'c0' } } });
      expect(item(menu, 'Merge calls')).toMatchObject({ action: { kind: 'command', command: { type: 'merge', callId: 'c0' } } });
      // Without the keys, no hints.
      expect(outline(trayMenu(inCallTransfer({ kind: 'consulting' })))[4]).toBe('Transfer Cyd Charisse to Bob');
    });

    it('none of it while transfer does not apply', () => {
      for (const state of [inCall(), inCallHold(true), inCallWaiting(), calling(), ringing(), signedIn]) {
        const labels = JSON.stringify(outline(trayMenu(state)));
        expect(labels).not.toMatch(/Transfer|Merge/);
      }
    });
  });

  it('with push-to-talk: names the key, the same words held or not (no menu rebuilt per press)', () => {
    const up = trayMenu(inCallPushToTalk(false, 'ControlRight'));
    expect(outline(up).slice(0, 5)).toEqual(['!In call with Bob', '!Push to talk: hold Right Ctrl', 'Mute', 'Hang up', '---']);
    expect(trayMenu(inCallPushToTalk(true, 'ControlRight'))).toEqual(up);
    expect(outline(trayMenu(inCallPushToTalk(false, 'AltRight'), {}, 'darwin'))[1]).toBe('!Push to talk: hold Right ⌥');
  });

  it('calling out: Hang up cancels', () => {
    expect(outline(trayMenu(calling())).slice(0, 3)).toEqual(['!Calling Bob…', 'Hang up', '---']);
  });

  it('disconnected: statuses stay, calling is off', () => {
    const menu = outline(trayMenu({ ...signedIn, connection: 'offline' }));
    expect(menu[0]).toBe('(x) Available');
    expect(menu[4]).toEqual({ '!Call': ['Bob — available', '---', 'Cyd Charisse — away'] });
  });

  it('keeps names with & as they are (no mnemonics)', () => {
    expect(menuText('Tom & Jerry')).toBe('Tom && Jerry');
    const state = { ...signedIn, contacts: [{ username: 'tj', displayName: 'Tom & Jerry', status: 'available' as const, favorite: true }] };
    expect(outline(trayMenu(state))[4]).toEqual({ Call: ['Tom && Jerry — available'] });
  });

  it('every clickable item carries a command or quit', () => {
    const clickable = (items: readonly TrayMenuItem[]): TrayMenuItem[] =>
      items.flatMap((item) => (item.type === 'separator' ? [] : item.submenu ? clickable(item.submenu) : item.enabled ? [item] : []));
    const transfers = [inCallTransfer({ kind: 'possible' }), inCallTransfer({ kind: 'ringing', to: cyd }), inCallTransfer({ kind: 'consulting' })];
    for (const state of [signedIn, ringing(), inCall(), calling(), SIGNED_OUT, ...transfers]) {
      for (const item of clickable(trayMenu(state))) expect(item).toHaveProperty('action');
    }
  });
});
