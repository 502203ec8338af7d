/**
 * The renderer → main path for the desktop integration: `desktop:state`
 * snapshots reach the hub only from the main window's own page and only when
 * valid; commands reach the main window's renderer as `desktop:command`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import { DEFAULT_SETTINGS } from '../../src/shared/ipc.js';
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences.js';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import { fake } from './fake-electron.js';
import type { FakeBrowserWindow, FakeFrame, FakeWebContents } from './fake-electron.js';
import { bob, cyd, inCall, inCallTransfer, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { createWindows } = await import('../../src/main/windows.js');
const { createDesktopHub } = await import('../../src/main/desktop-hub.js');
const { installIpc } = await import('../../src/main/ipc.js');
const { createInvokeHandlers, createSendHandlers } = await import('../../src/main/handlers.js');
const { createTrustedOrigins } = await import('../../src/main/origins.js');
const { createTokenStore } = await import('../../src/main/token-store.js');

type Hub = ReturnType<typeof createDesktopHub>;

describe('desktop hub and the desktop:* channels', () => {
  let windows: ReturnType<typeof createWindows>;
  let hub: Hub;
  let ipc: { dispose(): void };
  let main: FakeBrowserWindow;
  let contents: FakeWebContents;
  let changes: [DesktopState, DesktopState][];

  const publish = (state: unknown, frame: FakeFrame | null = contents.mainFrame, sender: FakeWebContents = contents) =>
    fake.send('desktop:state', frame, sender, state);
  const commands = () => contents.sentOn('desktop:command');

  beforeEach(() => {
    fake.reset();
    windows = createWindows({ preloadPath: '/app/out/preload/index.cjs', startUrl: 'app://parley/' });
    main = windows.showMain() as unknown as FakeBrowserWindow;
    contents = main.webContents;
    hub = createDesktopHub({ windows });
    ipc = installIpc({
      windows,
      origins: createTrustedOrigins(),
      handlers: createInvokeHandlers({
        version: '1',
        platform: 'linux',
        tokenStore: createTokenStore({ dir: '/nonexistent' }),
        hotkeys: { statuses: () => [] },
        settings: {
          get: () => DEFAULT_SETTINGS,
          update: () => Promise.resolve(DEFAULT_SETTINGS),
          takeNotice: () => null,
          preferences: () => DEFAULT_PREFERENCES,
          savePreferences: () => Promise.resolve(),
        },
        hub: { state: () => SIGNED_OUT },
        screen: { sources: () => Promise.resolve([]), choose: () => false },
        recordings: { save: () => Promise.resolve({ path: null }) },
      }),
      listeners: createSendHandlers({ hub }),
    });
    changes = [];
    hub.subscribe((state, previous) => changes.push([state, previous]));
  });
  afterEach(() => {
    ipc.dispose();
    hub.dispose();
  });

  it('starts signed out', () => {
    expect(hub.state()).toEqual(SIGNED_OUT);
  });

  it("takes the main window's snapshots and tells subscribers, with the previous state, only on a change", () => {
    publish(signedIn);
    expect(hub.state()).toEqual(signedIn);
    expect(changes).toEqual([[signedIn, SIGNED_OUT]]);

    publish(structuredClone(signedIn));
    expect(changes).toHaveLength(1);

    publish(ringing());
    expect(changes).toHaveLength(2);
    expect(changes[1]).toEqual([ringing(), signedIn]);
  });

  describe('ignores a malformed desktop:state and changes nothing', () => {
    const { contacts } = signedIn;
    const malformed: [string, unknown][] = [
      ['null', null],
      ['a string', JSON.stringify(signedIn)],
      ['a missing field', { ...signedIn, call: undefined }],
      ['an unknown key', { ...signedIn, admin: true }],
      ['an unknown connection', { ...signedIn, connection: 'hacked' }],
      ['an unsettable chosen status', { ...signedIn, chosenStatus: 'busy' }],
      ['a negative missed count', { ...signedIn, missedCalls: -1 }],
      ['a fractional missed count', { ...signedIn, missedCalls: 1.5 }],
      ['a call of an unknown kind', { ...signedIn, call: { kind: 'exploding' } }],
      ['a ringing call without id', { ...signedIn, call: { kind: 'ringing-in', peer: bob } }],
      ['a bad username', { ...signedIn, contacts: [{ ...contacts[0], username: '../../etc' }] }],
      ['an empty display name', { ...signedIn, me: { username: 'ada', displayName: '' } }],
      ['a huge display name', { ...signedIn, me: { username: 'ada', displayName: 'A'.repeat(10_000) } }],
      ['too many contacts', { ...signedIn, contacts: Array.from({ length: 16 }, () => contacts[0]) }],
      ['a transfer of an unknown kind', { ...inCall(), call: { ...inCall().call, transfer: { kind: 'auction' } } }],
      ['a consult with no call held aside', { ...inCall(), call: { ...inCall().call, transfer: { kind: 'consulting' } } }],
      ['a transfer ringing a bad username', { ...inCall(), call: { ...inCall().call, transfer: { kind: 'ringing', to: { username: 'A B', displayName: 'x' } } } }],
    ];
    it.each(malformed)('%s', (_name, payload) => {
      publish(signedIn);
      changes.length = 0;
      publish(payload);
      expect(hub.state()).toEqual(signedIn);
      expect(changes).toEqual([]);
    });

    it('no payload, or an extra argument', () => {
      fake.send('desktop:state', contents.mainFrame, contents);
      fake.send('desktop:state', contents.mainFrame, contents, signedIn, 'extra');
      expect(hub.state()).toEqual(SIGNED_OUT);
      expect(changes).toEqual([]);
    });
  });

  describe('ignores desktop:state from an unexpected frame', () => {
    it('a subframe of the main window, even on the app origin', () => {
      publish(signedIn, contents.subframe('app://parley/frame.html'));
      expect(hub.state()).toEqual(SIGNED_OUT);
    });
    it('the main frame showing another origin', () => {
      contents.mainFrame.url = 'https://evil.example/';
      publish(signedIn);
      expect(hub.state()).toEqual(SIGNED_OUT);
    });
    it('a window we did not create', async () => {
      const { FakeBrowserWindow: Window } = await import('./fake-electron.js');
      const foreign = new Window({}).webContents;
      await foreign.loadURL('app://parley/');
      publish(signedIn, foreign.mainFrame, foreign);
      expect(hub.state()).toEqual(SIGNED_OUT);
    });
    it('our incoming-call popup: only the main window speaks for the app', async () => {
      const popup = windows.open('incoming', {}, 'app://parley/index.html#incoming') as unknown as FakeBrowserWindow;
      await Promise.resolve();
      publish(signedIn, popup.webContents.mainFrame, popup.webContents);
      expect(hub.state()).toEqual(SIGNED_OUT);
    });
    it('no frame, or a detached one', () => {
      publish(signedIn, null);
      contents.mainFrame.detached = true;
      publish(signedIn);
      expect(hub.state()).toEqual(SIGNED_OUT);
      expect(changes).toEqual([]);
    });
  });

  describe('commands', () => {
    beforeEach(() => {
      publish(signedIn);
      main.hide();
    });

    it.each([
      [{ type: 'show' as const }],
      [{ type: 'show' as const, tab: 'history' as const }],
      [{ type: 'dial' as const, username: 'bob' }],
      [{ type: 'transfer-picker' as const }],
    ])('%j shows and focuses the main window, then reaches its renderer', (command) => {
      expect(hub.command(command)).toBe(true);
      expect(main.visible).toBe(true);
      expect(main.focused).toBe(true);
      expect(commands()).toEqual([command]);
    });

    it.each([
      [{ type: 'toggle-mute' as const }],
      [{ type: 'hangup' as const }],
      [{ type: 'set-status' as const, status: 'dnd' as const }],
      [{ type: 'reconnect' as const }],
    ])('%j reaches the renderer without bringing the window up', (command) => {
      expect(hub.command(command)).toBe(true);
      expect(main.visible).toBe(false);
      expect(commands()).toEqual([command]);
    });

    it('answer shows the window; a decline does not', () => {
      publish(ringing('c7'));
      hub.command({ type: 'decline', callId: 'c7' });
      expect(main.visible).toBe(false);
      hub.command({ type: 'answer', callId: 'c7' });
      expect(main.visible).toBe(true);
      expect(commands()).toEqual([
        { type: 'decline', callId: 'c7' },
        { type: 'answer', callId: 'c7' },
      ]);
    });

    it('drops an answer or decline for a call that no longer rings', () => {
      publish(ringing('c7'));
      expect(hub.command({ type: 'answer', callId: 'c6' })).toBe(false);
      publish(inCall(false, 'c7'));
      expect(hub.command({ type: 'decline', callId: 'c7' })).toBe(false);
      expect(hub.command({ type: 'answer', callId: 'c7' })).toBe(false);
      expect(commands()).toEqual([]);
      expect(main.visible).toBe(false);
    });

    it('drops a transfer or merge naming a call it no longer applies to', () => {
      publish(inCallTransfer({ kind: 'possible' }, 'c1'));
      expect(hub.command({ type: 'transfer', callId: 'c2', to: 'cyd' })).toBe(false);
      expect(hub.command({ type: 'take-back-transfer', callId: 'c1' })).toBe(false);
      expect(hub.command({ type: 'merge', callId: 'c0' })).toBe(false);
      publish(inCallTransfer({ kind: 'consulting' }, 'c1'));
      expect(hub.command({ type: 'transfer', callId: 'c1', to: 'cyd' })).toBe(false);
      expect(hub.command({ type: 'complete-transfer', callId: 'c1' })).toBe(false);
      publish(inCallTransfer({ kind: 'ringing', to: cyd }, 'c1'));
      expect(hub.command({ type: 'take-back-transfer', callId: 'c9' })).toBe(false);
      expect(commands()).toEqual([]);
      // The ones that apply go through.
      expect(hub.command({ type: 'take-back-transfer', callId: 'c1' })).toBe(true);
      publish(inCallTransfer({ kind: 'consulting' }, 'c1'));
      expect(hub.command({ type: 'merge', callId: 'c0' })).toBe(true);
      expect(commands()).toEqual([
        { type: 'take-back-transfer', callId: 'c1' },
        { type: 'merge', callId: 'c0' },
      ]);
    });

    it('forwards the popup’s Answer and Decline to the main window, and nothing else from it', async () => {
      publish(ringing('c7'));
      const popup = windows.open('incoming', {}, 'app://parley/index.html#incoming') as unknown as FakeBrowserWindow;
      await Promise.resolve();
      const fromPopup = (command: unknown) => fake.send('desktop:command', popup.webContents.mainFrame, popup.webContents, command);
      fromPopup({ type: 'dial', username: 'mallory' });
      fromPopup({ type: 'set-status', status: 'dnd' });
      fromPopup({ type: 'answer', callId: '' });
      fromPopup({ type: 'answer', callId: 'c7', extra: 1 });
      // Transfer and merge come from the tray and the shortcuts, never the popup, and malformed ones from nowhere.
      fromPopup({ type: 'transfer', callId: 'c7', to: 'mallory' });
      fromPopup({ type: 'merge', callId: 'c7' });
      fromPopup({ type: 'transfer', callId: 'c7', to: '../mallory' });
      fromPopup({ type: 'complete-transfer' });
      expect(commands()).toEqual([]);
      fromPopup({ type: 'decline', callId: 'c7' });
      fromPopup({ type: 'answer', callId: 'c7' });
      expect(commands()).toEqual([
        { type: 'decline', callId: 'c7' },
        { type: 'answer', callId: 'c7' },
      ]);
      expect(popup.webContents.sent).toEqual([]);
    });

    it('refuses desktop:command from the main window itself (it has its own UI)', () => {
      fake.send('desktop:command', contents.mainFrame, contents, { type: 'hangup' });
      expect(commands()).toEqual([]);
    });
  });

  it('forgets the state when the main window’s page is gone', () => {
    publish(inCall());
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(hub.state()).toEqual(SIGNED_OUT);
    publish(inCall());
    main.destroy();
    expect(hub.state()).toEqual(SIGNED_OUT);
    expect(changes.map(([state]) => state.call.kind)).toEqual(['in-call', 'none', 'in-call', 'none']);
  });

  it('a failing subscriber does not keep the others from hearing', () => {
    const later = vi.fn();
    hub.subscribe(() => {
      throw new Error('boom');
    });
    hub.subscribe(later);
    publish(signedIn);
    expect(later).toHaveBeenCalledOnce();
  });

  it('dispose stops listening on the send channels', () => {
    ipc.dispose();
    publish(signedIn);
    expect(hub.state()).toEqual(SIGNED_OUT);
  });
});
