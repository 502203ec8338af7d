/**
 * alice, bob and carol in separate browser contexts, calling each other
 * through the web build served by a real server, with real WebRTC audio.
 */
import path from 'node:path';
import { describe, expect } from 'vitest';
import { ARTIFACTS, callPanel, closeEnded, e2eTest, inboundAudio, liveTracks, microphones, signIn, type User } from './harness.js';
import { answerCall, dial, endedText, expectAudioFlowing, poll, waitState } from './steps.js';
import { checkScreen, eachLook } from './ui-checks.js';

// Six unanswered calls from one person to another (a quick cancel is half): test 4g meets the limit.
const it = e2eTest({ world: { ringTimeoutS: 4, unansweredPerCallee: 6 }, team: ['alice', 'bob', 'carol'] });

function historyRowsOf(page: User['page']) {
  return page.locator('section[aria-labelledby="history-title"] li');
}

function historyRows(u: User) {
  return historyRowsOf(u.page);
}

/** The call a user's history shows first now: a mark to wait past (a newer call takes the first row, folded into it or not). */
async function historyMark(...users: User[]): Promise<(string | null)[]> {
  const marks: (string | null)[] = [];
  for (const u of users) {
    await u.page.getByRole('button', { name: /^History/ }).click();
    await u.page.locator('section[aria-labelledby="history-title"]').waitFor();
    marks.push((await historyRows(u).count()) === 0 ? null : await historyRows(u).first().getAttribute('data-call'));
  }
  return marks;
}

/** The newest history row, once a call newer than `mark` is in it. */
async function newestRow(u: User, mark: string | null | undefined) {
  await u.page.getByRole('button', { name: /^History/ }).click();
  await expect.poll(async () => ((await historyRows(u).count()) === 0 ? null : historyRows(u).first().getAttribute('data-call')), poll).not.toBe(mark ?? null);
  return historyRows(u).first();
}

async function newestOutcome(u: User, mark: string | null | undefined): Promise<string | null> {
  return (await newestRow(u, mark)).locator('.outcome').textContent();
}

/** The section tabs' height: a missed-call badge sits over the History icon and never makes them taller. */
async function tabsHeight(u: User): Promise<number> {
  return (await u.page.getByRole('navigation', { name: 'Sections' }).boundingBox())?.height ?? 0;
}

/** Each part of each history row (name, time, people, how it went) is one line: cut short with an ellipsis, never wrapped. */
async function expectHistoryRowsOneLine(page: User['page']): Promise<void> {
  const wrapped = await historyRowsOf(page).evaluateAll((rows) =>
    rows.flatMap((row) =>
      [...row.querySelectorAll<HTMLElement>('.name, time, .participants, .facts')]
        .filter((el) => el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).fontSize))
        .map((el) => `${row.getAttribute('data-call')}: "${el.innerText}" is ${Math.round(el.getBoundingClientRect().height)} px high`),
    ),
  );
  expect(wrapped).toEqual([]);
}

/** The peer's level meter in `u`'s 1:1 call view (0..1; the speaking threshold is 0.15). */
function peerLevel(u: User, peer: string): Promise<number> {
  return u.page.getByRole('meter', { name: `${peer} level` }).evaluate((el) => Number(el.getAttribute('aria-valuenow')));
}

/** How many microphones each user has open: the callee's opens while the call rings, the caller's while it dials. */
async function expectMicrophones(count: number, ...users: User[]): Promise<void> {
  for (const u of users) await expect.poll(() => liveTracks(u.page), poll).toBe(count);
}

describe('1:1 audio calls in the browser', () => {
  it('1. alice calls bob, who answers: both are in call and hear each other', async ({ team: { alice, bob } }) => {
    await dial(alice, 'Bob');
    await waitState(alice.page, 'outgoing');
    await expect.poll(() => alice.page.locator('section.call .state:visible').textContent(), poll).toContain('Ringing');
    await expect.poll(() => bob.page.locator('section.call .who').textContent(), poll).toBe('Alice');
    await answerCall(bob);
    await waitState(alice.page, 'active');
    await waitState(bob.page, 'active');
    await expect(alice.page.locator('.in-call').textContent()).resolves.toBe('In call');
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);
    // Each side's meter for the other shows the tone, above the speaking threshold.
    await expect.poll(() => peerLevel(alice, 'Bob'), poll).toBeGreaterThan(0.15);
    await expect.poll(() => peerLevel(bob, 'Alice'), poll).toBeGreaterThan(0.15);
    // The connection quality indicator appears from the first statistics, with the numbers on hover.
    await expect.poll(() => alice.page.locator('.quality').getAttribute('title'), poll).toMatch(/Round trip \d+ ms, jitter \d+ ms, packet loss [\d.]+ %/);
    expect(await alice.page.locator('.quality').textContent()).toMatch(/Connection: (good|fair|poor)/);
    // Both read the same verification code, derived from the keys their connection negotiated.
    const code = (u: User) => u.page.getByLabel('Verification code', { exact: true }).textContent();
    await expect.poll(() => code(alice), poll).toMatch(/^\d{4} \d{4}$/);
    expect(await code(bob)).toBe(await code(alice));
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'in-call.png') });
  });

  it('2. alice mutes: bob hears silence, sees alice muted and her meter drop; unmute restores all three', async ({ team: { alice, bob } }) => {
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(async () => (await inboundAudio(bob.page))?.audioLevel ?? 1, poll).toBeLessThan(0.01);
    await expect.poll(() => bob.page.locator('.peer-muted').textContent(), poll).toBe('Alice muted their microphone');
    await expect.poll(() => peerLevel(bob, 'Alice'), poll).toBeLessThan(0.15);
    await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
    await expect.poll(async () => (await inboundAudio(bob.page))?.audioLevel ?? 0, poll).toBeGreaterThan(0.01);
    await expect.poll(() => peerLevel(bob, 'Alice'), poll).toBeGreaterThan(0.15);
    await expect.poll(() => bob.page.locator('.peer-muted').count(), poll).toBe(0);
  });

  it('3. alice hangs up: both end, no microphone stays open, history shows the call with its duration', async ({ team: { alice, bob } }) => {
    // At least a second of talk time: the call's timer has ticked past 0:00.
    await expect.poll(() => alice.page.locator('section.call .timer').textContent(), poll).toMatch(/^(?!0:00$)\d+:\d\d$/);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(alice.page)).toBe('Call ended');
    expect(await endedText(bob.page)).toBe('Alice hung up');
    await expectMicrophones(0, alice, bob);
    await closeEnded(alice, bob);
    for (const [u, peer] of [[alice, 'Alice'], [bob, 'Bob']] as const) {
      const row = await newestRow(u, null);
      await expect.poll(() => row.locator('.outcome').textContent(), poll).toBe('Answered');
      expect(await row.locator('.duration').textContent()).toMatch(/^\d+:\d\d$/);
      expect(await row.locator('.name').textContent()).toBe(peer === 'Alice' ? 'Bob' : 'Alice');
    }
  });

  it('4a. bob declines: the microphones opened while it rang are closed', async ({ team: { alice, bob } }) => {
    const [a, b] = await historyMark(alice, bob);
    await dial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    await expectMicrophones(1, alice, bob);
    await bob.page.getByRole('button', { name: 'Decline' }).click();
    expect(await endedText(alice.page)).toBe('Bob declined');
    expect(await endedText(bob.page)).toBe('Call declined');
    await expectMicrophones(0, alice, bob);
    await closeEnded(alice, bob);
    expect(await newestOutcome(alice, a)).toBe('Declined');
    expect(await newestOutcome(bob, b)).toBe('Declined');
  });

  it('4b. alice cancels: the microphones opened while it rang are closed', async ({ team: { alice, bob } }) => {
    const [a, b] = await historyMark(alice, bob);
    const historyTab = bob.page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^History/ });
    await expect.poll(() => historyTab.getAttribute('aria-label'), poll).toBe('History');
    const plainTabs = await tabsHeight(bob);
    await dial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    await expectMicrophones(1, alice, bob);
    await alice.page.getByRole('button', { name: 'Cancel call to Bob' }).click();
    expect(await endedText(alice.page)).toBe('Call cancelled');
    expect(await endedText(bob.page)).toBe('Missed call from Alice');
    await expectMicrophones(0, alice, bob);
    await closeEnded(alice, bob);
    // The missed call's badge is on the History tab, and the tabs are as high as without it.
    await expect.poll(() => historyTab.getAttribute('aria-label'), poll).toBe('History, 1 missed');
    await expect.poll(() => bob.page.locator('nav[aria-label="Sections"] .badge').isVisible(), poll).toBe(true);
    expect(await tabsHeight(bob)).toBe(plainTabs);
    expect(await newestOutcome(alice, a)).toBe('Cancelled');
    const bobRow = await newestRow(bob, b);
    expect(await bobRow.locator('.outcome').textContent()).toBe('Missed');
    expect(await bobRow.getAttribute('class')).toMatch(/missed/);
  });

  it('4c. nobody answers: the microphones opened while it rang are closed', async ({ team: { alice, bob } }) => {
    const [a, b] = await historyMark(alice, bob);
    await dial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    await expectMicrophones(1, alice, bob);
    expect(await endedText(alice.page)).toBe('No answer');
    expect(await endedText(bob.page)).toBe('Missed call from Alice');
    await expectMicrophones(0, alice, bob);
    await closeEnded(alice, bob);
    expect(await newestOutcome(alice, a)).toBe('No answer');
    expect(await newestOutcome(bob, b)).toBe('Missed');
  });

  it('4d. bob is on do not disturb', async ({ team: { alice, bob } }) => {
    const [a, b] = await historyMark(alice, bob);
    const { opened } = await microphones(alice.page);
    await bob.page.getByLabel('Your status').selectOption('dnd');
    await alice.page.getByRole('button', { name: 'Contacts' }).click();
    await expect.poll(() => alice.page.locator('li[data-username="bob"] .status').textContent(), poll).toBe('Do not disturb');
    await dial(alice, 'Bob');
    expect(await endedText(alice.page)).toBe('Bob does not want to be disturbed');
    expect(await callPanel(bob.page).count()).toBe(0);
    // A refused call never opens alice's microphone: it opens once the server has rung the callee.
    expect((await microphones(alice.page)).opened).toBe(opened);
    await expectMicrophones(0, alice);
    await closeEnded(alice);
    expect(await newestOutcome(alice, a)).toBe('Do not disturb');
    expect(await newestOutcome(bob, b)).toBe('Missed');
    await bob.page.getByLabel('Your status').selectOption('available');
  });

  it('4e. bob is busy in a call with carol', async ({ team: { alice, bob, carol } }) => {
    const [a, b] = await historyMark(alice, bob);
    // A call while in a call waits by default (call-waiting.e2e.test.ts); bob refuses them here.
    await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await bob.page.getByLabel('Busy when in a call').check();
    await dial(carol, 'Bob');
    await answerCall(bob);
    await waitState(carol.page, 'active');
    await dial(alice, 'Bob');
    expect(await endedText(alice.page)).toBe('Bob is busy');
    await closeEnded(alice);
    expect(await newestOutcome(alice, a)).toBe('Busy');
    await carol.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(carol, bob);
    // bob missed alice's call while he was busy: it is the newest row of his history.
    // Two new rows, carol's call and alice's refused one; alice's is the newer.
    const bobRow = await newestRow(bob, b);
    await expect.poll(() => bobRow.locator('.name').textContent(), poll).toBe('Alice');
    expect(await bobRow.locator('.outcome').textContent()).toBe('Missed');
    await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await bob.page.getByLabel('Busy when in a call').uncheck();
  });

  it('4f. bob is offline', async ({ team: { alice, bob } }) => {
    const [a, b] = await historyMark(alice, bob);
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    await bob.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Contacts' }).click();
    await expect.poll(() => alice.page.locator('li[data-username="bob"] .status').textContent(), poll).toBe('Offline');
    await dial(alice, 'Bob');
    expect(await endedText(alice.page)).toBe('Bob is offline');
    await closeEnded(alice);
    expect(await newestOutcome(alice, a)).toBe('Offline');
    // Back online, bob sees what he missed.
    await signIn(bob);
    await expect.poll(() => bob.page.getByRole('button', { name: /^History/ }).textContent(), poll).toMatch(/\d/);
    expect(await newestOutcome(bob, b)).toBe('Missed');
  });

  it('4g. alice has called bob too often without an answer: the call is not placed, and the card says so once, with his name and the wait', async ({ team: { alice, bob } }) => {
    const [a] = await historyMark(alice);
    // The calls before this one spent most of alice's tries for bob; he declines until the limit is met.
    let text = '';
    // Alice's card shows the call as outgoing while the invite travels, refused or not: what tells is bob's ring, or her card ending.
    const outcome = async () =>
      (await bob.page.locator('section.call[data-state="incoming"]').count()) > 0 ? 'rang' : (await alice.page.locator('section.call[data-state="ended"]').count()) > 0 ? 'refused' : null;
    for (let i = 0; i < 6 && !text.includes('too often'); i++) {
      await dial(alice, 'Bob');
      await expect.poll(outcome, poll).not.toBeNull();
      if ((await outcome()) === 'rang') {
        await bob.page.getByRole('button', { name: 'Decline' }).click();
        await closeEnded(bob);
      }
      text = await endedText(alice.page);
      // One reason, in the call's own place: no notice bar beside it, nothing about a lost connection.
      if (text.includes('too often')) expect(await alice.page.locator('.notice').count()).toBe(0);
      await closeEnded(alice);
    }
    expect(text).toMatch(/^You have called Bob too often without an answer\. Try again in \d+ min\.$/);
    expect(await newestOutcome(alice, a)).toBe('Not placed');
    // Every way a call went, one line each at every width (the calls bob declined in a row are one row).
    await checkScreen('history', alice.page);
    await eachLook(alice.page, () => expectHistoryRowsOneLine(alice.page));
    expect(await alice.page.locator('section[aria-labelledby="history-title"] .day-label').first().textContent()).toBe('Today');
    // Bob was not rung by it: his history does not list it.
    await bob.page.getByRole('button', { name: /^History/ }).click();
    await historyRows(bob).first().waitFor();
    expect((await historyRows(bob).allTextContents()).some((row) => row.includes('Not placed'))).toBe(false);
  });
});
