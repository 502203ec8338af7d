/**
 * Transfer and merge from outside the window, in the running app
 * (src/main/index.ts against the Electron fake): the tray offers them while
 * they apply and the transfer and merge keys are held only then; clicks and
 * key presses reach the renderer as desktop commands naming the right call;
 * stale clicks and malformed snapshots change nothing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow, FakeTray } from './fake-electron.js';
import { startTrayApp, type FakeElectron } from './start-app.js';
import { bob, cyd, inCall, inCallHold, inCallTransfer, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const TRANSFER = 'CommandOrControl+Alt+T';
const MERGE = 'CommandOrControl+Alt+G';

/** Bob is the one the call is with; Dee and Cyd are free to take it. */
const team: DesktopState = {
  ...signedIn,
  contacts: [
    { ...bob, status: 'busy', favorite: true },
    { username: 'dee', displayName: 'Dee', status: 'available', favorite: true },
    { username: 'eve', displayName: 'Eve', status: 'dnd', favorite: false },
    { ...cyd, status: 'away', favorite: false },
  ],
};
const possible = (callId = 'c1') => inCallTransfer({ kind: 'possible' }, callId, team);
const consulting = (callId = 'c1') => inCallTransfer({ kind: 'consulting' }, callId, team);
const transferRinging = (callId = 'c1') => inCallTransfer({ kind: 'ringing', to: cyd }, callId, team);

describe('transfer and merge from the tray and the global shortcuts', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  let tray: FakeTray;

  let publish: (state: unknown) => void;
  let commands: () => unknown[];
  const menu = () => tray.menu!;
  const held = () => [...electron.globalShortcut.registered.keys()];
  const labels = () => JSON.stringify(menu().outline());

  beforeEach(async () => {
    ({ electron, window, tray, publish, commands } = await startTrayApp());
    publish(team);
    window.hide();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('a call of two: Transfer to ▸ the contacts free to take it; a click transfers the call to them, the window stays where it is', () => {
    publish(possible('c7'));
    expect(menu().find(['Transfer to'])?.submenu?.outline()).toEqual(['Dee — available', '---', 'Cyd Charisse — away']);
    menu().click('Transfer to', 'Cyd Charisse — away');
    expect(commands()).toEqual([{ type: 'transfer', callId: 'c7', to: 'cyd' }]);
    expect(window.visible).toBe(false);
  });

  it('a call of two: Transfer… and the transfer key open the window on its transfer panel; the merge key is not held', () => {
    publish(possible('c7'));
    expect(held()).toContain(TRANSFER);
    expect(held()).not.toContain(MERGE);
    expect(menu().find(['Transfer…'])?.accelerator).toBe(TRANSFER);
    menu().click('Transfer…');
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);
    window.hide();
    electron.globalShortcut.press(TRANSFER);
    expect(window.visible).toBe(true);
    expect(commands()).toEqual([{ type: 'transfer-picker' }, { type: 'transfer-picker' }]);
  });

  it('a call held aside: Transfer Cyd to Bob and Merge calls, and their keys, act on the held call', () => {
    publish(consulting('c1'));
    expect(menu().outline().slice(0, 7)).toEqual([
      'Switch to Cyd Charisse (on hold)',
      '!In call with Bob',
      'Mute',
      'Hold call',
      'Transfer Cyd Charisse to Bob',
      'Merge calls',
      'Hang up',
    ]);
    expect(held()).toEqual(expect.arrayContaining([TRANSFER, MERGE]));
    expect(menu().find(['Transfer Cyd Charisse to Bob'])?.accelerator).toBe(TRANSFER);
    expect(menu().find(['Merge calls'])?.accelerator).toBe(MERGE);

    menu().click('Transfer Cyd Charisse to Bob');
    menu().click('Merge calls');
    electron.globalShortcut.press(TRANSFER);
    electron.globalShortcut.press(MERGE);
    expect(commands()).toEqual([
      { type: 'complete-transfer', callId: 'c0' },
      { type: 'merge', callId: 'c0' },
      { type: 'complete-transfer', callId: 'c0' },
      { type: 'merge', callId: 'c0' },
    ]);
    // Neither needs the window.
    expect(window.visible).toBe(false);
  });

  it('a blind transfer ringing: Take back the transfer, for that call; neither key is held', () => {
    publish(transferRinging('c3'));
    expect(menu().outline()).toContain('!Transferring Bob to Cyd Charisse…');
    expect(held()).not.toContain(TRANSFER);
    expect(held()).not.toContain(MERGE);
    menu().click('Take back the transfer');
    expect(commands()).toEqual([{ type: 'take-back-transfer', callId: 'c3' }]);
  });

  it('where transfer does not apply, neither the items nor the keys are there', () => {
    for (const state of [team, ringing(), inCall(), inCallHold(true)]) {
      publish(state);
      expect(labels()).not.toMatch(/Transfer|Merge/);
      expect(held()).not.toContain(TRANSFER);
      expect(held()).not.toContain(MERGE);
    }
    // The keys go once it no longer applies.
    publish(consulting());
    expect(held()).toEqual(expect.arrayContaining([TRANSFER, MERGE]));
    publish(inCallHold(false));
    expect(held()).not.toContain(TRANSFER);
    expect(held()).not.toContain(MERGE);
  });

  it('a click on a menu opened before the call changed does nothing to the call going on', () => {
    publish(consulting('c1'));
    const before = menu();
    publish(possible('c1'));
    before.click('Merge calls');
    before.click('Transfer Cyd Charisse to Bob');
    publish(possible('c9'));
    const older = menu();
    publish(transferRinging('c9'));
    older.click('Transfer to', 'Dee — available');
    publish(possible('c9'));
    const last = menu();
    publish(inCall(false, 'c9'));
    last.click('Transfer to', 'Dee — available');
    expect(commands()).toEqual([]);
  });

  describe('a snapshot with a malformed transfer is refused: the tray and keys stay as they were', () => {
    const call = possible().call;
    it.each([
      ['an unknown kind', { ...call, transfer: { kind: 'steal' } }],
      ['consulting without a call held aside', { ...call, transfer: { kind: 'consulting' } }],
      ['ringing without whom', { ...call, transfer: { kind: 'ringing' } }],
      ['ringing a bad username', { ...call, transfer: { kind: 'ringing', to: { username: '../etc', displayName: 'X' } } }],
      ['an extra key', { ...call, transfer: { kind: 'possible', to: 'mallory' } }],
      ['not an object', { ...call, transfer: 'possible' }],
    ])('%s', (_name, bad) => {
      const shown = labels();
      const keys = held();
      publish({ ...team, status: 'busy', call: bad });
      // Taken, it would have brought the call's keys (hang up, mute) and its items.
      expect(held()).toEqual(keys);
      expect(labels()).toBe(shown);
    });
  });
});
