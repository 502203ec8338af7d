/**
 * A team of hundreds: the contact list draws only the rows in and near view
 * (a windowed list), yet every contact is reachable by scrolling, by the
 * arrow keys and by search, and assistive technology is told each row's
 * place in the whole list.
 */
import path from 'node:path';
import { describe, expect } from 'vitest';
import { ARTIFACTS, e2eTest, type User, type World } from './harness.js';
import { poll } from './steps.js';
import { checkScreen } from './ui-checks.js';

const TEAM = 300;
/** More than a 1280×800 window shows, far fewer than the team. */
const MAX_DRAWN = 60;

const people = (u: User) => u.page.getByRole('list', { name: 'People' });
const drawn = (u: User) => people(u).locator('li[data-username]').count();
const focusedPlace = (u: User) => u.page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset') ?? null);

/** Written straight into the database: the API registers 20 people an hour per address. */
async function addTeam(world: World): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: TEAM }, (_, i) => ({
    id: crypto.randomUUID(),
    username: `p${String(i).padStart(3, '0')}`,
    display_name: `Person ${String(i).padStart(3, '0')}`,
    password_hash: 'none',
    disabled: 0,
    token_version: 0,
    missed_seen_at: 0,
    created_at: now,
  }));
  await world.server.db.insertInto('users').values(rows).execute();
}

const it = e2eTest({ team: ['alice'], beforeSignIn: addTeam })
  // On a window of 1280×800.
  .extend('alice', { scope: 'file' }, async ({ team: { alice } }) => {
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    return alice;
  });

describe('a contact list of 300', () => {
  it('draws a window of rows, each telling its place among all 300', async ({ alice }) => {
    await expect.poll(() => drawn(alice), poll).toBeGreaterThan(10);
    expect(await drawn(alice)).toBeLessThan(MAX_DRAWN);
    const first = people(alice).locator('li[data-username]').first();
    expect(await first.getAttribute('aria-setsize')).toBe(String(TEAM));
    expect(await first.getAttribute('aria-posinset')).toBe('1');
  });

  it('scrolls to the last contact, still drawing only a window', async ({ alice }) => {
    await people(alice).evaluate((list) => {
      const scroller = list.closest('.scroll')!;
      scroller.scrollTop = scroller.scrollHeight;
    });
    const last = alice.page.locator('li[data-username="p299"]');
    await last.waitFor();
    expect(await last.isVisible()).toBe(true);
    expect(await drawn(alice)).toBeLessThan(MAX_DRAWN);
    await people(alice).evaluate((list) => (list.closest('.scroll')!.scrollTop = 0));
    await alice.page.locator('li[data-username="p000"]').waitFor();
  });

  it('moves with the arrow keys past the rows drawn at first', async ({ alice }) => {
    await alice.page.getByRole('searchbox', { name: 'Search contacts' }).focus();
    await alice.page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedPlace(alice), poll).toBe('1');
    for (let i = 0; i < 80; i++) await alice.page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedPlace(alice), poll).toBe('81');
    const focused = alice.page.locator('li[data-username="p080"] button.call');
    await expect.poll(() => focused.evaluate((b) => b === document.activeElement), poll).toBe(true);
    expect(await focused.isVisible()).toBe(true);
    for (let i = 0; i < 5; i++) await alice.page.keyboard.press('ArrowUp');
    await expect.poll(() => focusedPlace(alice), poll).toBe('76');
  });

  it('finds a contact far down the list by search', async ({ alice }) => {
    await alice.page.getByRole('searchbox', { name: 'Search contacts' }).fill('Person 250');
    await alice.page.getByRole('button', { name: 'Call Person 250', exact: true }).waitFor();
    expect(await drawn(alice)).toBe(1);
    await alice.page.getByRole('searchbox', { name: 'Search contacts' }).fill('');
    await expect.poll(() => drawn(alice), poll).toBeGreaterThan(10);
  });

  it('looks right in six looks, and halfway down', async ({ alice }) => {
    // Each width lays the list out anew (sidebar or full width), from the top.
    await checkScreen('long-list', alice.page);
    await alice.page.setViewportSize({ width: 420, height: 760 });
    // The new width lays the list out again, from the top, possibly after this
    // scroll on a busy machine: scroll until the middle of the team is shown.
    const middle = alice.page.locator('li[data-username="p150"]');
    await expect
      .poll(async () => {
        await people(alice).evaluate((list) => {
          const scroller = list.closest('.scroll')!;
          scroller.scrollTop = scroller.scrollHeight / 2;
        });
        return middle.isVisible();
      }, poll)
      .toBe(true);
    // The scrolled rows drawn (two frames on) before the picture.
    await alice.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'screens', 'long-list-halfway-420.png') });
    const shown = await people(alice).locator('li[data-username]').evaluateAll((rows) =>
      rows.filter((r) => {
        const box = r.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      }).length,
    );
    expect(shown).toBeGreaterThan(5);
  }, 150_000);
});
