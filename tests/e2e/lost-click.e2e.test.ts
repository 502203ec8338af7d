/**
 * The click that starts a call, on pages just signed in while the contact
 * list still changes (issue 35's lost click): two people sign in afresh, one
 * clicks Call 0 to 1.5 s after both are in, twenty times, and every click
 * rings the callee. Two pages at a time and no call answered: light enough to
 * run beside the server's PostgreSQL + Redis suite (scripts/test.mjs).
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { callPanel, e2eTest, openUser, registerUser, signIn } from './harness.js';
import { callState, poll, waitState } from './steps.js';

/** A person's click where the pointer rests: press, a moment, release (no aiming again, no retry as a locator's click does). */
async function pressAndRelease(page: Page): Promise<void> {
  await page.mouse.down();
  await new Promise((r) => setTimeout(r, 60));
  await page.mouse.up();
}

/** The pointer on the middle of `name`'s Call button, as a person aims before clicking. */
async function aimAtCall(page: Page, name: string): Promise<void> {
  const box = await page.getByRole('button', { name: `Call ${name}`, exact: true }).boundingBox();
  if (!box) throw new Error(`no Call ${name} button on the page`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

const TRIES = 20;

const it = e2eTest({
  // Twenty calls from one caller to one callee, each cancelled: past the default limit of unanswered calls.
  world: { unansweredPerCallee: 100 },
});

describe('every click on Call rings (issue 35)', () => {
  it('twenty fresh sign-ins, Call clicked as a person clicks 0 to 1.5 s after both are in: every one rings the callee', { timeout: 300_000 }, async ({ world }) => {
    // Abe and Amy never sign in: offline, they sort above Hank until he comes online, when his row moves up.
    for (const name of ['abe', 'amy', 'gina', 'hank']) await registerUser(world, name);
    for (let i = 0; i < TRIES; i++) {
      const delay = Math.round((1500 * i) / (TRIES - 1));
      const [gina, hank] = await Promise.all([openUser(world, 'gina'), openUser(world, 'hank')]);
      if (i % 2 === 0) {
        // Gina first: she aims at Call Hank while he is offline; he signs in, the list re-sorts, she clicks.
        await signIn(gina);
        await aimAtCall(gina.page, 'Hank');
        await signIn(hank);
      } else {
        // Hank first: Gina's list appears with him available, and she calls him at once or a moment later.
        await signIn(hank);
        await signIn(gina);
        await aimAtCall(gina.page, 'Hank');
      }
      await new Promise((r) => setTimeout(r, delay));
      await pressAndRelease(gina.page);
      const where = `try ${i + 1} (${i % 2 === 0 ? 'Gina signed in first' : 'Hank signed in first'}, clicked after ${delay} ms)`;
      await hank.page
        .locator('section.call[data-state="incoming"]')
        .waitFor({ timeout: poll.timeout })
        .catch(async () => expect.fail(`${where}: Hank's page does not ring; Gina's shows ${await callState(gina.page)}`));
      expect(await callPanel(hank.page).textContent(), where).toContain('Gina');
      expect(await callState(gina.page), `${where}: Gina's page shows the call`).toBe('outgoing');
      expect(await callPanel(gina.page).locator('.who').textContent(), where).toBe('Hank');
      expect(await callPanel(gina.page).locator('.state:visible').textContent(), where).toMatch(/^(Calling|Ringing)…$/);
      // Hung up before the next try (closing the pages would end it too, less politely).
      await gina.page.getByRole('button', { name: 'Cancel call to Hank', exact: true }).click();
      await waitState(gina.page, 'ended');
      await Promise.all([gina.context.close(), hank.context.close()]);
    }
  });
});
