/**
 * Voicemail on the desktop (src/main/index.ts against the Electron fake): the
 * renderer publishes a new message and the unheard count; main shows a
 * notification naming the caller and the length, whose click opens the
 * Voicemail section; the tray's tooltip, badge and menu and the taskbar/dock
 * count show what is unheard, and all of it goes once everything is heard.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeTray } from './fake-electron.js';
import { startTrayApp, type FakeElectron } from './start-app.js';
import { bob, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const withVoicemail = (unheard: number, latest: { id: string; durationMs: number } | null, base: DesktopState = signedIn): DesktopState => ({
  ...base,
  voicemail: { unheard, latest: latest && { ...latest, from: bob } },
});

describe('voicemail on the desktop', () => {
  let electron: FakeElectron;
  let tray: FakeTray;

  let publish: (state: DesktopState) => void;
  let commands: () => unknown[];
  const voicemailNotices = () => electron.fake.notifications().filter((n) => n.title.includes('left a message'));

  beforeEach(async () => {
    ({ electron, tray, publish, commands } = await startTrayApp());
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('a new message: a notification that opens Voicemail, and the count in the tray and on the badge until it is heard', () => {
    publish(withVoicemail(0, null));
    expect(voicemailNotices()).toEqual([]);
    expect(electron.app.setBadgeCount).not.toHaveBeenCalled();

    publish(withVoicemail(1, { id: 'm1aaaaaaaaaaaaaaaaaaaaaa', durationMs: 41_700 }));
    const [notice] = voicemailNotices();
    expect(notice?.shown).toBe(true);
    expect(notice?.title).toBe('Bob left a message, 0:42');
    expect(tray.tooltip).toBe('Parley — available, 1 new voicemail');
    expect(tray.iconFile()).toMatch(/^available-missed(Template)?\.png$/);
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(1);

    notice?.click();
    expect(commands()).toEqual([{ type: 'show', tab: 'voicemail' }]);
    tray.menu!.click('Voicemail — 1 new');
    expect(commands()).toEqual([
      { type: 'show', tab: 'voicemail' },
      { type: 'show', tab: 'voicemail' },
    ]);

    // The same message again (another snapshot): no second notification; a second message: one more.
    publish({ ...withVoicemail(1, { id: 'm1aaaaaaaaaaaaaaaaaaaaaa', durationMs: 41_700 }), missedCalls: 1 });
    expect(voicemailNotices()).toHaveLength(1);
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(2);
    publish(withVoicemail(2, { id: 'm2aaaaaaaaaaaaaaaaaaaaaa', durationMs: 3_000 }));
    expect(voicemailNotices().map((n) => n.title)).toEqual(['Bob left a message, 0:42', 'Bob left a message, 0:03']);
    expect(tray.tooltip).toBe('Parley — available, 2 new voicemails');

    // Heard on some device: the notices go, and so do the counts.
    publish(withVoicemail(0, { id: 'm2aaaaaaaaaaaaaaaaaaaaaa', durationMs: 3_000 }));
    expect(voicemailNotices().every((n) => n.closed)).toBe(true);
    expect(tray.tooltip).toBe('Parley — available');
    expect(tray.iconFile()).toMatch(/^available(Template)?\.png$/);
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });

  it('on do not disturb a message shows no notification, but still counts', () => {
    const dnd: DesktopState = { ...signedIn, status: 'dnd', chosenStatus: 'dnd' };
    publish(withVoicemail(1, { id: 'm3aaaaaaaaaaaaaaaaaaaaaa', durationMs: 9_000 }, dnd));
    expect(voicemailNotices()).toEqual([]);
    expect(tray.tooltip).toBe('Parley — do not disturb, 1 new voicemail');
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(1);
  });
});
