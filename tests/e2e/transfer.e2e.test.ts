/**
 * Transfer and merge with three people in real Chromium, each audio checked
 * on its own connection (bytes growing, a level above silence):
 * - a blind transfer: Carol is rung with "Transferred by Alice", answers,
 *   and Bob hears her while Alice has no connection left;
 * - a declined transfer: both are told, and Bob is with Alice still;
 * - a consult: Bob is held with a notice, Carol is asked first, then
 *   Transfer puts Bob through to her;
 * - a merge: one call of three, everyone hearing everyone.
 * Screens of the transfer panel, the consult and each side of a transfer
 * ringing, in six looks.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, type User } from './harness.js';
import { expectHearsEveryone, expectReceivesEveryone, meshAudio } from './rooms.js';
import { answerCall, endedText, establishCall, poll, waitState } from './steps.js';
import { checkScreen } from './ui-checks.js';

const it = e2eTest({
  team: ['alice', 'bob', 'carol'],
  // A test that failed leaves no call for the next one to trip on.
  afterEach: async ({ team: { alice, bob, carol } }) => {
    for (const u of [alice, bob, carol]) {
      const state = await u.page.locator('section.call').getAttribute('data-state').catch(() => null);
      if (state === 'active' || state === 'connecting' || state === 'reconnecting') await u.page.getByRole('button', { name: /^(Hang up|Leave call)$/ }).click();
    }
    await closeEnded(alice, bob, carol);
  },
});

const SCREEN_MS = 180_000;

/** The call's name in the stage header: whom `u` is talking with. */
const stageTitle = (u: User) => u.page.locator('section.call .stage-header h2.title');
const pill = (u: User, kind: string) => u.page.locator(`section.call .${kind}`);
const notice = (page: Page) => page.getByRole('alert');

/** Alice opens the Transfer panel of her call with Bob. */
async function openTransfer(alice: User): Promise<void> {
  await alice.page.getByRole('button', { name: 'Transfer', exact: true }).click();
  await alice.page.getByRole('group', { name: 'Transfer Bob' }).waitFor();
}

/** Open, not closed, peer connections on `u`'s page. */
async function openConnections(u: User): Promise<number> {
  return (await meshAudio(u.page)).length;
}

describe('transfer and merge', () => {
  it('1. blind: Carol is rung with "Transferred by Alice"; once she answers, Bob hears Carol and Alice has no connection left', async ({ team: { alice, bob, carol } }) => {
    await establishCall(alice, bob, 'Bob');
    await openTransfer(alice);
    await checkScreen('transfer-panel', alice.page);
    await alice.page.getByRole('button', { name: 'Transfer Bob to Carol' }).click();

    await waitState(carol.page, 'incoming');
    await expect.poll(() => callPanel(carol.page).locator('.transferred').textContent(), poll).toBe('Transferred by Alice');
    expect(await callPanel(carol.page).locator('.who').textContent()).toBe('Bob');
    await expect.poll(() => pill(alice, 'transferring').textContent(), poll).toContain('Transferring Bob to Carol…');
    await expect.poll(() => pill(bob, 'transferring').textContent(), poll).toContain('Alice is transferring you to Carol…');
    await checkScreen('transfer-ringing', { alice: alice.page, bob: bob.page, carol: carol.page });

    await answerCall(carol);
    expect(await endedText(alice.page)).toBe('You put Bob through to Carol');
    await expect.poll(() => openConnections(alice), poll).toBe(0);
    await waitState(carol.page, 'active');
    await expect.poll(() => stageTitle(bob).textContent(), poll).toBe('Carol');
    await expect.poll(() => stageTitle(carol).textContent(), poll).toBe('Bob');
    await expectReceivesEveryone(bob, 1);
    await expectReceivesEveryone(carol, 1);
    expect(await pill(bob, 'transferring').count()).toBe(0);
  });

  it('2. declined: Carol declines, both are told, and Bob is with Alice still, hearing her', async ({ team: { alice, bob, carol } }) => {
    await establishCall(alice, bob, 'Bob');
    await openTransfer(alice);
    await alice.page.getByRole('button', { name: 'Transfer Bob to Carol' }).click();
    await waitState(carol.page, 'incoming');
    await carol.page.getByRole('button', { name: 'Decline', exact: true }).click();

    await expect.poll(() => notice(alice.page).textContent(), poll).toContain('Carol declined the transfer. You are back with Bob.');
    await expect.poll(() => notice(bob.page).textContent(), poll).toContain('Carol declined the transfer. You are back with Alice.');
    expect(await pill(alice, 'transferring').count()).toBe(0);
    expect(await stageTitle(bob).textContent()).toBe('Alice');
    await expectReceivesEveryone(bob, 1);
    await expectReceivesEveryone(alice, 1);
  });

  it('3. consult: Bob is held and told so while Alice asks Carol; Transfer then puts Bob through to Carol, and Alice leaves both', async ({ team: { alice, bob, carol } }) => {
    await establishCall(alice, bob, 'Bob');
    await openTransfer(alice);
    await alice.page.getByRole('button', { name: 'Ask first: call Carol before transferring Bob' }).click();
    await expect.poll(() => pill(bob, 'on-hold').textContent(), poll).toBe('On hold: Alice put you on hold');
    await expect.poll(() => callPanel(alice.page).locator('.held-call').textContent(), poll).toBe('Bob is on hold');
    await answerCall(carol);
    await waitState(alice.page, 'active');
    await expect.poll(() => stageTitle(alice).textContent(), poll).toBe('Carol');
    await expectReceivesEveryone(carol, 1);
    await expect.poll(() => pill(alice, 'held-aside').textContent(), poll).toContain('Bob is on hold');
    await checkScreen('transfer-consult', alice.page);

    await alice.page.getByRole('button', { name: 'Transfer Bob to this call' }).click();
    expect(await endedText(alice.page)).toBe('You put Bob through to Carol');
    await expect.poll(() => openConnections(alice), poll).toBe(0);
    await expect.poll(() => stageTitle(bob).textContent(), poll).toBe('Carol');
    await expect.poll(() => stageTitle(carol).textContent(), poll).toBe('Bob');
    expect(await pill(bob, 'on-hold').count()).toBe(0);
    await expectReceivesEveryone(bob, 1);
    await expectReceivesEveryone(carol, 1);
  });

  it('4. merge: with Bob held and Carol answered, Merge makes one call of three, everyone hearing everyone', async ({ team: { alice, bob, carol } }) => {
    await establishCall(alice, bob, 'Bob');
    await openTransfer(alice);
    await alice.page.getByRole('button', { name: 'Ask first: call Carol before transferring Bob' }).click();
    await answerCall(carol);
    await expect.poll(() => pill(alice, 'held-aside').textContent(), poll).toContain('Bob is on hold');
    await alice.page.getByRole('button', { name: 'Merge the calls' }).click();

    await expectHearsEveryone(alice, ['Bob', 'Carol']);
    await expectHearsEveryone(bob, ['Alice', 'Carol']);
    await expectHearsEveryone(carol, ['Alice', 'Bob']);
    for (const u of [alice, bob]) expect(await pill(u, 'on-hold').count()).toBe(0);
  });
}, SCREEN_MS);
