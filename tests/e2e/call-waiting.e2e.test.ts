/**
 * Call waiting in Chromium, three users: alice is in a call with bob when
 * carol calls her. The call going on keeps its audio while the card shows;
 * Decline tells carol "declined"; End and answer hangs up bob and connects
 * carol with audio both ways; Hold and answer holds bob (no audio to him)
 * and connects carol, Switch trades the two calls back and forth, and bob is
 * back on hold when carol hangs up; and with "Busy when in a call" set, carol
 * hears busy and alice sees no card. Presence follows every way of answering.
 * Screens of the card and of the held call in six looks.
 */
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, inboundAudio, type Team, type User } from './harness.js';
import { dial, endedText, establishCall, expectAudioFlowing, expectAudioThroughout, poll, waitState } from './steps.js';
import { checkScreen, eachLook, shoot } from './ui-checks.js';

const it = e2eTest({ team: ['alice', 'bob', 'carol'] });

const SCREEN_MS = 180_000;

const card = (u: User) => u.page.getByRole('region', { name: /^Waiting call from / });

/** alice and bob in a call, and carol calling alice: it rings at carol's side, and alice sees the card. */
async function carolCallsDuringCall({ alice, bob, carol }: Team<'alice' | 'bob' | 'carol'>): Promise<void> {
  await establishCall(alice, bob, 'Bob');
  await dial(carol, 'Alice');
  await expect.poll(() => carol.page.locator('section.call').getAttribute('data-state'), poll).toBe('outgoing');
  await expect.poll(() => carol.page.getByText('Ringing…').count(), poll).toBeGreaterThan(0);
}

/** `viewer`'s contact list shows `username` as `label` ("In a call"); the list, not a snapshot, is what people read. */
async function seesStatus(viewer: User, username: string, label: string): Promise<void> {
  await expect.poll(() => viewer.page.locator(`li[data-username="${username}"] .status`).textContent(), poll).toBe(label);
}

/** Nothing reaches `u`'s speaker: its inbound audio's bytes stand still for 1.5 s. */
async function expectNoAudio(u: User): Promise<void> {
  await expect
    .poll(async () => {
      const before = (await inboundAudio(u.page))?.bytesReceived ?? 0;
      await new Promise((r) => setTimeout(r, 1500));
      return ((await inboundAudio(u.page))?.bytesReceived ?? 0) === before;
    }, poll)
    .toBe(true);
}

async function openSettings(u: User): Promise<void> {
  await u.page.getByRole('button', { name: 'Settings', exact: true }).click();
}

describe('call waiting', () => {
  it('1. a call while in a call waits: the call goes on with its audio; Decline tells the caller', async ({ team: { alice, bob, carol } }) => {
    await carolCallsDuringCall({ alice, bob, carol });
    await card(alice).waitFor();
    expect(await card(alice).textContent()).toContain('Carol');
    // The call with bob is untouched: still in it, audio both ways while the card shows.
    expect(await alice.page.locator('section.call').getAttribute('data-state')).toBe('active');
    expect(await expectAudioThroughout(2000, alice, bob)).toBeGreaterThan(0);
    await checkScreen('call-waiting', alice.page);
    await card(alice).getByRole('button', { name: 'Decline' }).click();
    expect(await endedText(carol.page)).toBe('Alice declined');
    await expect.poll(() => card(alice).count(), poll).toBe(0);
    await expectAudioFlowing(bob.page);
    await closeEnded(carol);
  }, SCREEN_MS);

  it('2. End and answer hangs up bob and connects carol, audio both ways', async ({ team: { alice, bob, carol } }) => {
    await dial(carol, 'Alice');
    await card(alice).waitFor();
    await card(alice).getByRole('button', { name: 'End and answer' }).click();
    expect(await endedText(bob.page)).toBe('Alice hung up');
    for (const u of [alice, carol]) await waitState(u.page, 'active');
    // Alice is in a call with carol now: bob, free again, sees both in a call, and nobody available at home.
    await closeEnded(bob);
    await seesStatus(bob, 'alice', 'In a call');
    await seesStatus(bob, 'carol', 'In a call');
    await expect.poll(() => bob.page.locator('.home .sub').textContent().then((t) => t?.trim()), poll).toBe('0 colleagues are available now.');
    await expect.poll(() => alice.page.locator('section.call .title').textContent(), poll).toBe('Carol');
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(carol.page);
    await carol.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, carol]) await waitState(u.page, 'ended');
    await closeEnded(alice, carol);
    await seesStatus(bob, 'alice', 'Available');
  }, SCREEN_MS);

  it('3. the call going on ends while another waits: that one rings as any call', async ({ team: { alice, bob, carol } }) => {
    await carolCallsDuringCall({ alice, bob, carol });
    await card(alice).waitFor();
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(alice.page, 'incoming');
    await alice.page.getByRole('button', { name: 'Answer', exact: true }).click();
    for (const u of [alice, carol]) await waitState(u.page, 'active');
    await expectAudioFlowing(carol.page);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, carol]) await waitState(u.page, 'ended');
    await closeEnded(alice, bob, carol);
  }, SCREEN_MS);

  it('4. Hold and answer: bob waits on hold with no audio, carol connects; carol hangs up: bob is back on hold, and Resume brings his audio back', async ({ team: { alice, bob, carol } }) => {
    await carolCallsDuringCall({ alice, bob, carol });
    await card(alice).waitFor();
    await checkScreen('call-waiting-three-choices', alice.page);
    await card(alice).getByRole('button', { name: 'Hold and answer' }).click();
    for (const u of [alice, carol]) await waitState(u.page, 'active');
    await expect.poll(() => alice.page.locator('section.call .title').textContent(), poll).toBe('Carol');
    await expect.poll(() => bob.page.locator('section.call .on-hold').textContent(), poll).toBe('On hold: Alice put you on hold');
    await expect.poll(() => alice.page.locator('section.call .held-aside span').textContent(), poll).toBe('Bob is on hold');
    // Nothing reaches bob while he is held, and carol and alice hear each other; bob, held, is still in a call to others.
    await expectNoAudio(bob);
    await expectAudioFlowing(carol.page);
    await expectAudioFlowing(alice.page);
    await seesStatus(carol, 'bob', 'In a call');
    await checkScreen('call-held-aside', alice.page);

    // Switch: bob is the call again and hears alice; carol waits on hold, told so, with no audio.
    await alice.page.getByRole('button', { name: 'Switch to Bob' }).click();
    await expect.poll(() => alice.page.locator('section.call .title').textContent(), poll).toBe('Bob');
    await expect.poll(() => bob.page.locator('section.call .on-hold').count(), poll).toBe(0);
    await expect.poll(() => carol.page.locator('section.call .on-hold').textContent(), poll).toBe('On hold: Alice put you on hold');
    await expect.poll(() => alice.page.locator('section.call .held-aside span').textContent(), poll).toBe('Carol is on hold');
    await expectAudioFlowing(bob.page);
    await expectNoAudio(carol);
    // And back to carol.
    await alice.page.getByRole('button', { name: 'Switch to Carol' }).click();
    await expect.poll(() => alice.page.locator('section.call .title').textContent(), poll).toBe('Carol');
    await expect.poll(() => carol.page.locator('section.call .on-hold').count(), poll).toBe(0);
    await expect.poll(() => bob.page.locator('section.call .on-hold').textContent(), poll).toBe('On hold: Alice put you on hold');
    await expectAudioFlowing(carol.page);
    await expectNoAudio(bob);

    await carol.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(carol.page, 'ended');
    await expect.poll(() => alice.page.locator('section.call .title').textContent(), poll).toBe('Bob');
    await expect.poll(() => alice.page.locator('section.call .on-hold').textContent(), poll).toBe('On hold: you put Bob on hold');
    expect(await alice.page.locator('section.call').getAttribute('data-state')).toBe('active');
    await alice.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await expect.poll(() => bob.page.locator('section.call .on-hold').count(), poll).toBe(0);
    await expectAudioFlowing(bob.page);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob, carol);
  }, SCREEN_MS);

  it('5. with "Busy when in a call", carol hears busy and alice sees no card', async ({ team: { alice, bob, carol } }) => {
    await openSettings(alice);
    await alice.page.getByLabel('Busy when in a call').check();
    await checkScreen('call-waiting-settings', alice.page);
    const section = alice.page.getByRole('group', { name: 'Calls while in a call' });
    await eachLook(alice.page, async (label) => {
      await section.scrollIntoViewIfNeeded();
      await shoot(alice.page, `call-waiting-settings-section-${label}`);
    });
    await establishCall(alice, bob, 'Bob');
    await dial(carol, 'Alice');
    expect(await endedText(carol.page)).toBe('Alice is busy');
    expect(await card(alice).count()).toBe(0);
    expect(await alice.page.locator('section.call').getAttribute('data-state')).toBe('active');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob, carol);
  }, SCREEN_MS);
});
