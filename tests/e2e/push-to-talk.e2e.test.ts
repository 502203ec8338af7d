/**
 * Push-to-talk in the browser, two users: alice turns it on in Settings and
 * chooses a key from the keyboard; in a call bob hears her tone only while
 * she holds the key (the level his side receives), the stage says which key
 * and when she is talking, mute still wins, bob is never told she "muted",
 * a long quiet spell does not end the call, and a key that types still
 * types in the chat without opening her microphone. Screens in six looks.
 */
import { describe, expect } from 'vitest';
import { MEDIA_TIMEOUT_MS } from '../../src/renderer/src/call/media-timeout.js';
import { closeEnded, e2eTest, inboundAudio, type User } from './harness.js';
import { openChat } from './media.js';
import { answerCall, dial, expectAudioFlowing, poll, waitState } from './steps.js';
import { checkScreen, eachLook, shoot } from './ui-checks.js';

const it = e2eTest({ team: ['alice', 'bob'] });

const HEARD = 0.01;
const SCREEN_MS = 120_000;

/** When alice last let go of the key in the call of tests 2 and 3: the quiet spell test 3 waits out starts there. */
let quietSince: number | undefined;

const level = async (u: User) => (await inboundAudio(u.page))?.audioLevel ?? 0;
const pill = (u: User) => u.page.locator('section.call .push-to-talk');
/** Whether bob's tile of alice shows her speaking. */
/** Whether `listener`'s stage shows alice speaking. */
const aliceSpeaking = (listener: User) => () => listener.page.locator('section.call [data-username="alice"]').getAttribute('data-speaking');

/** For `ms`, what `u` receives stays silence while its bytes keep growing (the call goes on, quietly). */
async function expectSilence(u: User, ms = 2000): Promise<void> {
  await expect.poll(() => level(u), poll).toBeLessThan(HEARD);
  const before = (await inboundAudio(u.page))?.bytesReceived ?? 0;
  for (const end = Date.now() + ms; Date.now() < end; ) {
    expect(await level(u), `${u.name} hears nothing`).toBeLessThan(HEARD);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect((await inboundAudio(u.page))?.bytesReceived ?? 0).toBeGreaterThan(before);
}

async function openSettings(u: User): Promise<void> {
  await u.page.getByRole('button', { name: 'Settings', exact: true }).click();
  await u.page.getByRole('group', { name: 'Push to talk' }).waitFor();
}

/** Settings › Push to talk: on, with `key` pressed in the key field (a Playwright key name). */
async function choosePushToTalkKey(u: User, key: string, label: string): Promise<void> {
  await openSettings(u);
  const box = u.page.getByLabel('Talk only while I hold a key');
  if (!(await box.isChecked())) await box.check();
  const field = u.page.getByLabel('Key to hold');
  await field.focus();
  await u.page.keyboard.press(key);
  await expect.poll(() => field.inputValue(), poll).toBe(label);
}

/** Settings checked in six looks (layout, axe), with pictures of its Push to talk section (further down than checkScreen's). */
async function checkSettings(alice: User, name: string): Promise<void> {
  await checkScreen(name, alice.page);
  const section = alice.page.getByRole('group', { name: 'Push to talk' });
  await eachLook(alice.page, async (label) => {
    await section.scrollIntoViewIfNeeded();
    await shoot(alice.page, `${name}-section-${label}`);
  });
}

async function call(alice: User, bob: User): Promise<void> {
  await dial(alice, 'Bob');
  await answerCall(bob);
  await waitState(alice.page, 'active');
  await waitState(bob.page, 'active');
  // Bob's microphone is open as usual: alice hears him.
  await expectAudioFlowing(alice.page);
}

async function hangUp(alice: User, bob: User): Promise<void> {
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  for (const u of [alice, bob]) await waitState(u.page, 'ended');
  await closeEnded(alice, bob);
}

describe('push-to-talk', () => {
  it('1. is chosen in Settings from the keyboard: the box turns it on and goes to the key; a key it cannot use is explained', async ({ team: { alice } }) => {
    await openSettings(alice);
    const field = alice.page.getByLabel('Key to hold');
    expect(await field.inputValue()).toBe('None');
    await alice.page.getByLabel('Talk only while I hold a key').check();
    // Straight to choosing a key, and until then the microphone works as usual.
    await expect.poll(() => alice.page.evaluate(() => document.activeElement?.getAttribute('aria-describedby')), poll).toBe('push-to-talk-help');
    expect(await alice.page.getByText('Choose a key: until you do, your microphone works as usual.').count()).toBe(1);
    await checkSettings(alice, 'push-to-talk-settings');
    await field.focus();
    await alice.page.keyboard.press('Enter');
    await expect.poll(() => alice.page.getByRole('status').filter({ hasText: 'cannot be the push-to-talk key' }).count(), poll).toBe(1);
    await alice.page.keyboard.press('F8');
    await expect.poll(() => field.inputValue(), poll).toBe('F8');
    expect(await alice.page.getByText('Choose a key').count()).toBe(0);
  }, SCREEN_MS);

  it('2. in a call bob hears alice only while she holds the key; the stage says so; bob is not told she muted', async ({ team: { alice, bob } }) => {
    await call(alice, bob);
    await expect.poll(() => pill(alice).textContent(), poll).toBe('Hold F8 to talk');
    await expectSilence(bob);
    expect(await bob.page.locator('.peer-muted').count()).toBe(0);
    expect(await aliceSpeaking(bob)()).toBe('false');

    await alice.page.keyboard.down('F8');
    await expect.poll(() => level(bob), poll).toBeGreaterThan(HEARD);
    await expect.poll(() => pill(alice).textContent(), poll).toBe('Talking');
    // Bob sees her speak, as he hears it.
    await expect.poll(aliceSpeaking(bob), poll).toBe('true');
    await checkScreen('push-to-talk-talking', alice.page);

    await alice.page.keyboard.up('F8');
    quietSince = Date.now();
    await expect.poll(() => pill(alice).textContent(), poll).toBe('Hold F8 to talk');
    await expectSilence(bob);
    await checkScreen('push-to-talk-call', alice.page);
    // Nothing of it went through the server as mute.
    expect(await bob.page.locator('.peer-muted').count()).toBe(0);
  }, SCREEN_MS);

  it('3. a long quiet spell is not a lost call: the closed microphone still sends silence, so the media timeout never fires', async ({ team: { alice, bob } }) => {
    // Quiet since alice let go of the key in the test above (its checks ran meanwhile): the spell is counted from then.
    await new Promise((r) => setTimeout(r, Math.max(0, (quietSince ?? Date.now()) + MEDIA_TIMEOUT_MS + 4000 - Date.now())));
    for (const u of [alice, bob]) expect(await u.page.locator('section.call').getAttribute('data-state')).toBe('active');
    await alice.page.keyboard.down('F8');
    await expect.poll(() => level(bob), poll).toBeGreaterThan(HEARD);
    await alice.page.keyboard.up('F8');
  }, MEDIA_TIMEOUT_MS + 30_000);

  it('4. mute wins: muted, holding the key opens nothing, and the stage says why', async ({ team: { alice, bob } }) => {
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => bob.page.locator('.peer-muted').count(), poll).toBe(1);
    await alice.page.keyboard.down('F8');
    await expect.poll(() => pill(alice).textContent(), poll).toBe('Muted: unmute to talk with F8');
    await expectSilence(bob, 1500);
    await alice.page.keyboard.up('F8');
    await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
    await expect.poll(() => bob.page.locator('.peer-muted').count(), poll).toBe(0);
    // Unmuted with the key up (and its short tail over), push-to-talk holds the microphone closed again.
    await expect.poll(() => pill(alice).textContent(), poll).toBe('Hold F8 to talk');
    await expectSilence(bob, 1000);
    await hangUp(alice, bob);
  });

  it('5. a key that types still types in the chat (and opens nothing there); outside a text field it pushes to talk', async ({ team: { alice, bob } }) => {
    await choosePushToTalkKey(alice, 'Backquote', '`');
    expect(await alice.page.getByText('` types a character: in text fields, such as the chat, it types as usual', { exact: false }).count()).toBe(1);
    await checkSettings(alice, 'push-to-talk-typing-key');
    await call(alice, bob);
    await openChat(alice);
    const message = alice.page.getByLabel('Message', { exact: true });
    await message.fill('hold ');
    await message.focus();
    await alice.page.keyboard.down('Backquote');
    await expectSilence(bob, 1000);
    await alice.page.keyboard.up('Backquote');
    expect(await message.inputValue()).toBe('hold `');

    // Out of the text field (the call's own buttons), the same key talks.
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).focus();
    await alice.page.keyboard.down('Backquote');
    await expect.poll(() => level(bob), poll).toBeGreaterThan(HEARD);
    await alice.page.keyboard.up('Backquote');
    await expectSilence(bob, 1000);
    // The focused Mute button was not pressed by it.
    expect(await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: false }).count()).toBe(1);
    await hangUp(alice, bob);
  }, SCREEN_MS);

  it('6. turned off, the microphone is open as before', async ({ team: { alice, bob } }) => {
    await openSettings(alice);
    await alice.page.getByLabel('Talk only while I hold a key').uncheck();
    await call(alice, bob);
    await expectAudioFlowing(bob.page);
    expect(await pill(alice).count()).toBe(0);
    await hangUp(alice, bob);
  });
});
