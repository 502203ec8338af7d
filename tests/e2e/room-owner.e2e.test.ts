/**
 * A room's owner changes its join code from the call, in real Chromium: the
 * owner (who opened the room) has a Join code control, with the keyboard
 * too; a code too short is refused in words; the new code is confirmed; the
 * old code no longer lets anyone in and the new one does; removing the code
 * (after a second "yes") lets people in without one. Everyone else in the
 * room is told who owns it and has no such control.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, type User } from './harness.js';
import { joinRoom, leave } from './rooms.js';
import { poll, waitState } from './steps.js';
import { checkLayout, eachLook, shoot } from './ui-checks.js';

const joinCodeButton = (page: Page) => callPanel(page).getByRole('button', { name: 'Join code', exact: true });
const panel = (page: Page) => callPanel(page).getByRole('region', { name: 'Join code' });
const owner = (page: Page) => callPanel(page).locator('.stage-header .owner');

/** The page as it is fits each look (360, 420 and 1280 px wide, light and dark): a screenshot of each in test-results/e2e/screens/. */
function fitsEveryLook(page: Page, name: string): Promise<void> {
  return eachLook(page, async (label) => {
    await shoot(page, `${name}-${label}`);
    await checkLayout(page);
  });
}

/** The text of the element that has the focus. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent.trim() ?? '');

/** A join refused: the notice says why, no call view opens, and the notice is dismissed. */
async function expectRefused(u: User, words: string): Promise<void> {
  await expect.poll(() => u.page.getByRole('alert').textContent(), poll).toContain(words);
  expect(await callPanel(u.page).count()).toBe(0);
  await u.page.getByRole('button', { name: 'Dismiss message' }).click();
}

const it = e2eTest({ team: ['alice', 'bob', 'carol'] });

describe("a room's join code, changed by its owner", () => {
  it('the owner sets a new code (keyboard only): the old code is refused, the new one lets carol in; bob, not the owner, has no control', async ({ team: { alice, bob, carol } }) => {
    await joinRoom(alice, 'board', 'sesame-4242');
    await waitState(alice.page, 'active');
    await joinRoom(bob, 'board', 'sesame-4242');
    await waitState(bob.page, 'active');

    // Who owns the room, for both; the control for alice only.
    await expect.poll(() => owner(alice.page).textContent(), poll).toContain('Owner: you');
    await expect.poll(() => owner(bob.page).textContent(), poll).toContain('Owner: Alice');
    expect(await joinCodeButton(bob.page).count()).toBe(0);
    expect(await callPanel(bob.page).getByLabel(/join code/i).count()).toBe(0);

    // The keyboard: the control opens the panel with the field focused.
    const { page } = alice;
    await joinCodeButton(page).focus();
    await page.keyboard.press('Enter');
    expect(await joinCodeButton(page).getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), poll).toBe('room-code-input');
    await expect.poll(() => panel(page).textContent(), poll).toContain('Room board has a join code');

    // Too short: refused here in words, the field marked, nothing changed.
    await page.keyboard.type('abc');
    await page.keyboard.press('Enter');
    await expect.poll(() => panel(page).locator('.result').textContent(), poll).toBe('A join code needs at least 8 characters: this one has 3.');
    expect(await page.getByLabel('New join code').getAttribute('aria-invalid')).toBe('true');
    await fitsEveryLook(page, 'room-code-invalid');

    await page.getByLabel('New join code').fill('');
    await page.keyboard.type('weekly-5678');
    await page.keyboard.press('Enter');
    await expect.poll(() => panel(page).locator('.result').textContent(), poll).toBe('Join code changed. From now on, joining room board takes the new code.');
    expect(await page.getByLabel('New join code').inputValue()).toBe('');
    expect(await page.getByLabel('New join code').getAttribute('aria-invalid')).toBe('false');

    // Escape closes the panel and gives the focus back to the control.
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'detached' });
    expect(await joinCodeButton(page).getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => focused(page), poll).toBe('Join code');

    await joinRoom(carol, 'board', 'sesame-4242');
    await expectRefused(carol, 'That is not the join code of room "board"');
    await joinRoom(carol, 'board', 'weekly-5678');
    await waitState(carol.page, 'active');
    await expect.poll(() => owner(carol.page).textContent(), poll).toContain('Owner: Alice');
    expect(await joinCodeButton(carol.page).count()).toBe(0);
  });

  it('the owner removes the code after saying yes twice: carol comes back in without one', async ({ team: { alice, carol } }) => {
    await leave(carol);
    await closeEnded(carol);
    const { page } = alice;
    await joinCodeButton(page).click();
    await panel(page).getByRole('button', { name: 'Remove the join code…' }).click();
    // Not yet: the safe answer has the focus, and Escape (as "Keep it") leaves the code as it is, in the panel still open.
    await expect.poll(() => focused(page), poll).toBe('Keep it');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page), poll).toBe('Remove the join code…');
    await page.keyboard.press('Enter');
    await panel(page).getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => panel(page).locator('.state').textContent(), poll).toContain('Room board has a join code');
    await panel(page).getByRole('button', { name: 'Remove the join code…' }).click();
    await fitsEveryLook(page, 'room-code-confirm');
    await panel(page).getByRole('button', { name: 'Remove code', exact: true }).click();
    await expect.poll(() => panel(page).locator('.result').textContent(), poll).toBe('Join code removed. Anyone who knows the name board can now join.');
    await expect.poll(() => panel(page).locator('.state').textContent(), poll).toContain('Room board has no join code');
    // With no code to remove, the field sets one.
    expect(await panel(page).getByRole('button', { name: 'Remove the join code…' }).count()).toBe(0);
    expect(await panel(page).getByRole('button', { name: 'Set code' }).count()).toBe(1);

    await joinRoom(carol, 'board');
    await waitState(carol.page, 'active');
    expect(await joinCodeButton(carol.page).count()).toBe(0);
  });
});
