/** Several devices of one user, and presence seen by others. */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, liveTracks, openUser, signIn, user, type User } from './harness.js';
import { callPanel } from './page-probes.js';

const it = e2eTest({ team: ['alice', 'bob', 'carol'] })
  // bob's second device: signed in on a page of its own.
  .extend('bob2', { scope: 'file' }, ({ team: _signedInFirst, world }) => user(world, 'bob'));

const poll = { timeout: 15_000, interval: 100 };

const state = (page: Page) => callPanel(page).getAttribute('data-state', { timeout: 15_000 });

/** Polls alice's contact list until bob shows `label`, and reports how long it took. */
async function aliceSees(alice: User, label: string, action: () => Promise<void>): Promise<number> {
  await alice.page.getByRole('button', { name: 'Contacts' }).click();
  const started = Date.now();
  await action();
  await expect.poll(() => alice.page.locator('li[data-username="bob"] .status').textContent(), poll).toBe(label);
  const ms = Date.now() - started;
  console.info(`alice saw bob ${label} after ${ms} ms`);
  return ms;
}

describe('devices and presence', () => {
  it('5. bob signed in twice: both ring, one answers, the other stops ringing', async ({ team: { alice, bob }, bob2 }) => {
    await alice.page.getByRole('button', { name: 'Call Bob', exact: true }).click();
    await expect.poll(() => state(bob.page), poll).toBe('incoming');
    await expect.poll(() => state(bob2.page), poll).toBe('incoming');
    await bob2.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await expect.poll(() => state(alice.page), poll).toBe('active');
    await expect.poll(() => state(bob2.page), poll).toBe('active');
    await expect.poll(() => state(bob.page), poll).toBe('ended');
    expect(await bob.page.locator('.ended-reason').textContent()).toBe('Answered on another device');
    // The device that did not answer closes the microphone it opened while it rang.
    await expect.poll(() => liveTracks(bob.page), poll).toBe(0);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => state(bob2.page), poll).toBe('ended');
    for (const u of [alice, bob, bob2]) await closeEnded(u);
  });

  it('6. bob setting away, entering a call and signing out each change alice\'s contact list', async ({ team: { alice, bob, carol }, bob2 }) => {
    // A user's status is the best over their devices: keep one of bob's devices for this.
    await bob2.page.getByRole('button', { name: 'Settings' }).click();
    await bob2.page.getByRole('button', { name: 'Sign out' }).click();
    await aliceSees(alice, 'Away', () => bob.page.getByLabel('Your status').selectOption('away').then(() => undefined));
    await aliceSees(alice, 'Available', () => bob.page.getByLabel('Your status').selectOption('available').then(() => undefined));
    await aliceSees(alice, 'In a call', async () => {
      await carol.page.getByRole('button', { name: 'Call Bob', exact: true }).click();
      await expect.poll(() => state(bob.page), poll).toBe('incoming');
      await bob.page.getByRole('button', { name: 'Answer', exact: true }).click();
    });
    await carol.page.getByRole('button', { name: 'Hang up' }).click();
    await aliceSees(alice, 'Available', () => expect.poll(() => state(bob.page), poll).toBe('ended').then(() => undefined));
    await closeEnded(bob);
    await aliceSees(alice, 'Offline', async () => {
      await bob.page.getByRole('button', { name: 'Settings' }).click();
      await bob.page.getByRole('button', { name: 'Sign out' }).click();
    });
    // The sign-in screen is back and the session is forgotten: a reload stays signed out.
    await bob.page.reload();
    await bob.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(bob);
  });

  it('remembers the session across a reload', async ({ team: { alice }, world }) => {
    await alice.page.reload();
    await alice.page.getByRole('navigation', { name: 'Sections' }).waitFor();
    const fresh = await openUser(world, 'alice');
    // A new context has no stored session.
    await fresh.page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
