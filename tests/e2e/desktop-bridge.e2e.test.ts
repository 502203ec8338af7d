/**
 * The renderer as the desktop app runs it, with a stand-in for the preload's
 * window.parley: it publishes its state for the main process and obeys the
 * commands the tray, shortcuts and popup send. Real server, real calls.
 */
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import { DEFAULT_AUDIO_SETTINGS, type Preferences } from '../../src/shared/preferences.js';
import { ARTIFACTS, e2eTest, endCalls, inboundAudio, user, type User } from './harness.js';
import { fakeDesktop } from './desktop-fake.js';
import { expectTile } from './media.js';

/** What main's settings file holds: a quieter ringtone, Bob pinned. */
const PREFERENCES: Preferences = { audio: { ...DEFAULT_AUDIO_SETTINGS, ringtoneVolume: 0.35 }, favorites: ['bob'] };

const poll = { timeout: 15_000, interval: 100 };
const latest = (u: User) =>
  u.page.evaluate(() => (window as unknown as { __published: DesktopState[] }).__published.at(-1) ?? null);
const command = (u: User, c: unknown) =>
  u.page.evaluate((cmd) => (window as unknown as { __command: (c: unknown) => void }).__command(cmd), c);

const it = e2eTest({
  // Each call's ringing, refusal and end in a failed test's output.
  world: { serverLogLevel: 'info' },
  team: ['ada', 'bob'],
  alsoRegistered: ['cyd'],
  open: { ada: { init: fakeDesktop, initArg: PREFERENCES, serverField: true } },
  afterEach: async ({ team: { ada, bob } }) => {
    await endCalls(ada, bob);
    // Closed here, after a failed test's pictures (which show every page still open).
    await guest?.context.close();
    guest = undefined;
  },
});
/** Someone a test signs in besides the team. */
let guest: User | undefined;

describe('desktop bridge', () => {
  it('publishes who is signed in, the status and the contacts, and keeps the session through window.parley', async ({ team: { ada } }) => {
    await expect.poll(async () => (await latest(ada))?.connection, poll).toBe('online');
    const state = await latest(ada);
    expect(state).toMatchObject({ me: { username: 'ada', displayName: 'Ada' }, status: 'available', call: { kind: 'none' } });
    expect(state?.contacts.map((c) => c.username)).toEqual(['bob']);
    expect(await ada.page.evaluate(() => (window as unknown as { __saved: { user: { username: string } } }).__saved.user.username)).toBe('ada');
  });

  it('a status chosen from the tray reaches the server and the other users', async ({ team: { ada, bob } }) => {
    await command(ada, { type: 'set-status', status: 'dnd' });
    await expect.poll(async () => (await latest(ada))?.status, poll).toBe('dnd');
    await expect.poll(() => bob.page.locator('li[data-username="ada"] .status').textContent(), poll).toBe('Do not disturb');
    await command(ada, { type: 'set-status', status: 'available' });
    await expect.poll(() => bob.page.locator('li[data-username="ada"] .status').textContent(), poll).toBe('Available');
  });

  it('an incoming call is published as ringing; Answer, mute and hang up from outside the window work like the buttons', async ({ team: { ada, bob } }) => {
    await bob.page.getByRole('button', { name: 'Call Ada', exact: true }).click();
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('ringing-in');
    expect((await latest(ada))?.call).toMatchObject({ peer: { username: 'bob', displayName: 'Bob' } });
    await command(ada, { type: 'answer' });
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', muted: false });
    // Answered once media connects: the time is published then.
    await expect.poll(async () => {
      const call = (await latest(ada))?.call;
      return call?.kind === 'in-call' ? typeof call.answeredAt : null;
    }, poll).toBe('number');
    await command(ada, { type: 'toggle-mute' });
    await expect.poll(() => bob.page.locator('.peer-muted').textContent(), poll).toBe('Ada muted their microphone');
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', muted: true });
    await expect.poll(() => ada.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).count(), poll).toBe(1);
    await ada.page.screenshot({ path: path.join(ARTIFACTS, 'desktop-in-call.png') });
    // Hold from the tray or its shortcut: published for the tray, told to bob; then bob holds, and ada's tray knows.
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ hold: { mine: false, theirs: false } });
    await command(ada, { type: 'toggle-hold' });
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ hold: { mine: true, theirs: false } });
    await expect.poll(() => bob.page.locator('.on-hold').textContent(), poll).toBe('On hold: Ada put you on hold');
    await command(ada, { type: 'toggle-hold' });
    await expect.poll(() => bob.page.locator('.on-hold').count(), poll).toBe(0);
    await bob.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ hold: { mine: false, theirs: true } });
    await bob.page.getByRole('button', { name: 'Hold', exact: true, pressed: true }).click();
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ hold: { mine: false, theirs: false } });
    await command(ada, { type: 'hangup' });
    await expect.poll(() => bob.page.locator('.ended-reason').textContent(), poll).toBe('Ada hung up');
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('none');
  });

  it('hold and answer from the tray: the waiting call is answered and the held one published aside; when it ends, the held call is back on hold', async ({ team: { ada, bob }, world }) => {
    const cyd = (guest = await user(world, 'cyd'));
    await bob.page.getByRole('button', { name: 'Call Ada', exact: true }).click();
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('ringing-in');
    await command(ada, { type: 'answer' });
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', peer: { username: 'bob' }, hold: { mine: false } });
    // cyd's list sorted again by then: ada and bob going busy one after the other swap their rows twice
    // (a batch window apart), and a click aimed at one row while they move can land on the other.
    for (const name of ['ada', 'bob']) await expect.poll(() => cyd.page.locator(`li[data-username="${name}"] .status`).textContent(), poll).toBe('In a call');
    await cyd.page.getByRole('button', { name: 'Call Ada', exact: true }).click();
    // Ringing at cyd's end first (the server rang ada): a failure below is then ada's side, not cyd's.
    await cyd.page.locator('section.call[data-state="outgoing"]').getByText('Ringing…').waitFor({ timeout: 15_000 });
    const waiting = async () => {
      const call = (await latest(ada))?.call;
      return call?.kind === 'in-call' ? (call.waiting?.callId ?? null) : null;
    };
    await expect.poll(waiting, poll).not.toBeNull();
    await command(ada, { type: 'hold-and-answer', callId: await waiting() });
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', peer: { username: 'cyd' }, aside: { peer: { username: 'bob' } } });
    await expect.poll(() => bob.page.locator('.on-hold').textContent(), poll).toBe('On hold: Ada put you on hold');
    await cyd.page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', peer: { username: 'bob' }, hold: { mine: true } });
    const back = await latest(ada);
    expect(back?.call.kind === 'in-call' && back.call.aside).toBeUndefined();
    await command(ada, { type: 'hangup' });
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('none');
  });

  it('dials from the tray and ignores malformed commands', async ({ team: { ada, bob } }) => {
    await command(ada, { type: 'dial', username: 'Not A User!' });
    await command(ada, { type: 'nonsense' });
    await command(ada, null);
    expect(await ada.page.locator('section.call[data-state="outgoing"]').count()).toBe(0);
    await command(ada, { type: 'dial', username: 'bob' });
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('ringing-out');
    await bob.page.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => ada.page.locator('.ended-reason').textContent(), poll).toBe('Bob declined');
    await expect.poll(async () => (await latest(ada))?.recent[0], poll).toMatchObject({ peer: { username: 'bob' }, direction: 'outgoing' });
  });

  it('renders the incoming-call popup from what main mirrors, and sends Answer / Decline back', async ({ world }) => {
    const context = await world.browser.newContext({ viewport: { width: 340, height: 150 } });
    await context.addInitScript(() => {
      const w = window as unknown as { parley: unknown; __sent: unknown[]; __push: ((s: unknown) => void) | null };
      w.__sent = [];
      w.__push = null;
      const ringing = {
        connection: 'online',
        me: { username: 'ada', displayName: 'Ada' },
        status: 'available',
        chosenStatus: 'available',
        call: { kind: 'ringing-in', callId: 'call-1', peer: { username: 'bob', displayName: 'Bob Builder' } },
        missedCalls: 0,
        contacts: [],
        recent: [],
      };
      w.parley = {
        desktop: {
          snapshot: () => Promise.resolve(ringing),
          onSnapshot: (cb: (s: unknown) => void) => {
            w.__push = cb;
            return () => (w.__push = null);
          },
          command: (c: unknown) => w.__sent.push(c),
        },
      };
    });
    const page = await context.newPage();
    await page.goto(`${world.url}/#incoming`);
    await page.getByText('is calling you').waitFor();
    expect(await page.locator('.name').textContent()).toBe('Bob Builder');
    // The username beside the display name anyone could copy.
    expect(await page.locator('.handle').textContent()).toBe('@bob');
    await page.screenshot({ path: path.join(ARTIFACTS, 'incoming-popup.png') });
    // No sign-in screen and no connection of its own.
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Answer' }).click();
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.getByRole('button', { name: 'Show Parley' }).click();
    expect(await page.evaluate(() => (window as unknown as { __sent: unknown[] }).__sent)).toEqual([
      { type: 'answer', callId: 'call-1' },
      { type: 'decline', callId: 'call-1' },
      { type: 'show' },
    ]);
    await page.evaluate(() => {
      const w = window as unknown as { __push: (s: unknown) => void };
      w.__push({ connection: 'online', me: null, status: 'available', chosenStatus: 'available', call: { kind: 'none' }, missedCalls: 0, contacts: [], recent: [] });
    });
    await page.getByText('No incoming call.').waitFor();
    // A call waiting while in a call that cannot be held (a group call): the popup says what answering ends, and its Answer is End and answer.
    await page.setViewportSize({ width: 340, height: 180 });
    await page.evaluate(() => {
      const w = window as unknown as { __push: (s: unknown) => void; __sent: unknown[] };
      w.__sent.length = 0;
      const bob = { username: 'bob', displayName: 'Bob Builder' };
      const cyd = { username: 'cyd', displayName: 'Cyd Charisse' };
      const call = { kind: 'in-call', callId: 'call-1', peer: bob, muted: false, answeredAt: 1, waiting: { callId: 'call-2', peer: cyd } };
      w.__push({ connection: 'online', me: { username: 'ada', displayName: 'Ada' }, status: 'busy', chosenStatus: 'available', call, missedCalls: 0, contacts: [], recent: [] });
    });
    await page.getByText('Answering ends your call with Bob Builder.').waitFor();
    expect(await page.getByRole('button', { name: 'Hold and answer' }).count()).toBe(0);
    expect(await page.locator('.name').textContent()).toBe('Cyd Charisse');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(ARTIFACTS, `incoming-popup-waiting-${scheme}.png`) });
    }
    await page.getByRole('button', { name: 'End and answer' }).click();
    await page.getByRole('button', { name: 'Decline' }).click();
    expect(await page.evaluate(() => (window as unknown as { __sent: unknown[] }).__sent)).toEqual([
      { type: 'answer', callId: 'call-2' },
      { type: 'decline', callId: 'call-2' },
    ]);
    // Waiting while in a call of two not on hold: Hold and answer too, on a row of its own in a window 44 px taller.
    await page.setViewportSize({ width: 340, height: 224 });
    await page.evaluate(() => {
      const w = window as unknown as { __push: (s: unknown) => void; __sent: unknown[] };
      w.__sent.length = 0;
      const bob = { username: 'bob', displayName: 'Bob Builder' };
      const cyd = { username: 'cyd', displayName: 'Cyd Charisse' };
      const call = { kind: 'in-call', callId: 'call-1', peer: bob, muted: false, answeredAt: 1, hold: { mine: false, theirs: false }, waiting: { callId: 'call-2', peer: cyd } };
      w.__push({ connection: 'online', me: { username: 'ada', displayName: 'Ada' }, status: 'busy', chosenStatus: 'available', call, missedCalls: 0, contacts: [], recent: [] });
    });
    const holdAndAnswer = page.getByRole('button', { name: 'Hold and answer' });
    await holdAndAnswer.waitFor();
    await page.getByText('You are in a call with Bob Builder.').waitFor();
    for (const name of ['Decline', 'Hold and answer', 'End and answer']) {
      const box = await page.getByRole('button', { name }).boundingBox();
      expect(box && box.y >= 0 && box.y + box.height <= 224 && box.x + box.width <= 340, `${name} is inside the popup`).toBe(true);
    }
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(ARTIFACTS, `incoming-popup-hold-${scheme}.png`) });
    }
    await holdAndAnswer.click();
    expect(await page.evaluate(() => (window as unknown as { __sent: unknown[] }).__sent)).toEqual([{ type: 'hold-and-answer', callId: 'call-2' }]);
    await context.close();
  });

  it('shows the desktop settings: shortcuts that do not work say so, and a new one is captured from the keyboard', async ({ team: { ada } }) => {
    await ada.page.getByRole('button', { name: 'Settings' }).click();
    await ada.page.getByRole('group', { name: 'Global shortcuts' }).waitFor();
    expect(await ada.page.locator('#status-mute').textContent()).toBe('Not working: in use by another application');
    expect(await ada.page.locator('#status-show').textContent()).toBe('Active');
    await ada.page.getByLabel('Mute or unmute').focus();
    await ada.page.keyboard.press('Control+Shift+KeyU');
    await expect.poll(() => ada.page.evaluate(() => (window as unknown as { __settingsPatches: unknown[] }).__settingsPatches), poll).toEqual([
      { shortcuts: { mute: 'CommandOrControl+Shift+U' } },
    ]);
    await expect.poll(() => ada.page.getByLabel('Mute or unmute').inputValue(), poll).toBe('Ctrl+Shift+U');
    await ada.page.screenshot({ path: path.join(ARTIFACTS, 'desktop-settings.png'), fullPage: true });
  });

  it('keeps the audio settings and favorites through window.parley (main writes them to its settings file), not in localStorage', async ({ team: { ada } }) => {
    await ada.page.getByRole('button', { name: 'Contacts', exact: true }).click();
    const pin = ada.page.locator('li[data-username="bob"] button[aria-pressed]');
    // Read from main at start.
    await expect.poll(() => pin.getAttribute('aria-pressed'), poll).toBe('true');
    await pin.click();
    await expect.poll(() => pin.getAttribute('aria-pressed'), poll).toBe('false');
    await ada.page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await ada.page.getByLabel('Ringtone volume').inputValue()).toBe('0.35');
    await ada.page.getByLabel('Echo cancellation').uncheck();
    const patches = () => ada.page.evaluate(() => (window as unknown as { __preferencePatches: unknown[] }).__preferencePatches);
    await expect.poll(patches, poll).toEqual([
      { favorites: [] },
      { audio: { ...PREFERENCES.audio, echoCancellation: false } },
    ]);
    // Preferences go through main; the page keeps only the contact list's copy for the next start (directory-cache.ts)
    // and who signed in last, for the sign-in screen after a sign-out (last-sign-in.ts: no password, no token).
    expect((await ada.page.evaluate(() => Object.keys(localStorage))).sort()).toEqual(['parley.directory.v1', 'parley.lastSignIn']);
  });

  it("shares a screen through the app's own picker: screens and windows with thumbnails, and the one chosen is told to main", async ({ team: { ada, bob } }) => {
    await bob.page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Call Ada', exact: true }).click();
    await ada.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await ada.page.locator('section.call[data-state="active"]').waitFor();
    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    const picker = ada.page.getByRole('dialog', { name: 'Share your screen' });
    await picker.waitFor();
    expect(await picker.getByRole('heading').allTextContents()).toEqual(['Share your screen', 'Screens', 'Windows']);
    expect(await picker.getByRole('button', { name: 'Share Entire screen' }).locator('img').count()).toBe(1);
    await ada.page.screenshot({ path: path.join(ARTIFACTS, 'screen-picker.png') });
    // Cancel closes it without sharing.
    await picker.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => picker.count(), poll).toBe(0);
    expect(await ada.page.evaluate(() => (window as unknown as { __screenChoices: string[] }).__screenChoices)).toEqual([]);
    // Chosen: main is told which source, then the capture reaches bob as the large tile.
    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await picker.getByRole('button', { name: 'Share Entire screen' }).click();
    await expect.poll(() => ada.page.evaluate(() => (window as unknown as { __screenChoices: string[] }).__screenChoices), poll).toEqual(['screen:0:0']);
    await expectTile([bob], 'Ada', 'screen');
    await ada.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.locator('section.call[data-state="ended"]').waitFor();
  });

  it("push to talk from another app: the key and its state are published, the hook's presses gate what bob hears, a refused hook is explained", async ({ team: { ada, bob } }) => {
    await ada.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await ada.page.getByLabel('Talk only while I hold a key').check();
    // The box goes straight to the key field.
    await ada.page.keyboard.press('ControlRight');
    await expect.poll(() => ada.page.getByLabel('Key to hold').inputValue(), poll).toBe('Right Ctrl');
    const audio = () => ada.page.evaluate(() => (window as unknown as { __preferences: { audio: object } }).__preferences.audio);
    await expect.poll(audio, poll).toMatchObject({ pushToTalk: true, pushToTalkKey: 'ControlRight' });

    await bob.page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Call Ada', exact: true }).click();
    await ada.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ kind: 'in-call', pushToTalk: { key: 'ControlRight', talking: false } });
    const heard = async () => (await inboundAudio(bob.page))?.audioLevel ?? 0;
    await expect.poll(async () => (await inboundAudio(bob.page))?.bytesReceived ?? 0, poll).toBeGreaterThan(0);
    await expect.poll(heard, poll).toBeLessThan(0.01);

    // Main's hook: Right Ctrl down and up in another app.
    await command(ada, { type: 'push-to-talk', down: true });
    await expect.poll(heard, poll).toBeGreaterThan(0.01);
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ pushToTalk: { talking: true } });
    await command(ada, { type: 'push-to-talk', down: false });
    await expect.poll(heard, poll).toBeLessThan(0.01);
    await expect.poll(async () => (await latest(ada))?.call, poll).toMatchObject({ pushToTalk: { talking: false } });

    await ada.page.evaluate(() =>
      (window as unknown as { __hookStatus: (s: unknown) => void }).__hookStatus({ state: 'unavailable', reason: 'Windows refused the keyboard hook' }),
    );
    await expect
      .poll(() => ada.page.getByText("Push to talk works only while Parley's window is in front: Windows refused the keyboard hook.").count(), poll)
      .toBe(1);
    await ada.page.screenshot({ path: path.join(ARTIFACTS, 'desktop-push-to-talk.png') });
    await ada.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.locator('section.call[data-state="ended"]').waitFor();
    await expect.poll(async () => (await latest(ada))?.call.kind, poll).toBe('none');
  });
});
