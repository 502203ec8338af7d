/**
 * What a person does in a call, as test steps shared by the browser suites:
 * dial from Contacts, answer, wait for a call state, read the ended text,
 * check that audio really flows.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { inboundAudio, type User } from './harness.js';
import { callPanel } from './page-probes.js';

export const poll = { timeout: 15_000, interval: 250 };

/**
 * Runs `check` on each of `items` side by side, each within its own limits,
 * and fails with the first failure once all have ended (nothing left polling
 * a page the next step closes). On a loaded machine every reading is slow:
 * one page after another, the slowest readings add up.
 */
export async function eachOf<T>(items: readonly T[], check: (item: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(check));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The pointer comes over the contact list before it clicks in it, as a
 * person's does: the list keeps its order while the pointer is over it
 * (Contacts.svelte), so a presence change arriving meanwhile (the callee
 * free again after a hang-up) cannot slide another row under the click.
 */
export async function pointToContacts(page: Page): Promise<void> {
  await page.locator('section.contacts .lists').hover({ position: { x: 4, y: 4 } });
}

export async function dial(from: User, toName: string): Promise<void> {
  await from.page.getByRole('button', { name: 'Contacts' }).click();
  await pointToContacts(from.page);
  await from.page.getByRole('button', { name: `Call ${toName}`, exact: true }).click();
}

export async function waitState(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.locator(`section.call[data-state="${state}"]`).waitFor({ timeout });
}

export async function endedText(page: Page): Promise<string> {
  await waitState(page, 'ended');
  return (await page.locator('.ended-reason').textContent())?.trim() ?? '';
}

/** Bytes received grow between two readings, and the level is clearly not silence. */
export async function expectAudioFlowing(page: Page): Promise<void> {
  await expect.poll(() => inboundAudio(page), poll).not.toBeNull();
  const first = (await inboundAudio(page))?.bytesReceived ?? 0;
  await expect.poll(async () => (await inboundAudio(page))?.bytesReceived ?? 0, poll).toBeGreaterThan(first);
  await expect.poll(async () => (await inboundAudio(page))?.audioLevel ?? 0, poll).toBeGreaterThan(0.01);
}

export async function answerCall(u: User): Promise<void> {
  await waitState(u.page, 'incoming');
  await u.page.getByRole('button', { name: 'Answer', exact: true }).click();
}

/** alice dials bob, bob answers, and both hear each other. */
export async function establishCall(caller: User, callee: User, calleeName: string): Promise<void> {
  await dial(caller, calleeName);
  await answerCall(callee);
  await waitState(caller.page, 'active');
  await waitState(callee.page, 'active');
  await expectAudioFlowing(callee.page);
  await expectAudioFlowing(caller.page);
}

/**
 * Inbound audio bytes grow at every sample over `ms`, on every page: the
 * audio never stopped. Returns the number of samples taken.
 */
export async function expectAudioThroughout(ms: number, ...users: User[]): Promise<number> {
  const last = new Map<User, number>();
  for (const u of users) last.set(u, (await inboundAudio(u.page))?.bytesReceived ?? 0);
  let samples = 0;
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 500));
    for (const u of users) {
      const now = (await inboundAudio(u.page))?.bytesReceived ?? 0;
      expect(now, `${u.name}'s inbound audio bytes at sample ${samples}`).toBeGreaterThan(last.get(u) ?? 0);
      last.set(u, now);
    }
    samples++;
  }
  return samples;
}

/** The server knows the call: a mute is relayed to the peer, and cleared again. */
export async function expectCallKnownToServer(from: User, to: User, fromName: string): Promise<void> {
  await from.page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect.poll(() => to.page.locator('.peer-muted').textContent(), poll).toBe(`${fromName} muted their microphone`);
  await from.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
  await expect.poll(() => to.page.locator('.peer-muted').count(), poll).toBe(0);
}

/** The call panel's banner saying the server is unreachable. */
export const banner = (u: User) => u.page.locator('section.call .signal-lost');

/** Both sides are connected again and the call is active, with no banner. */
export async function expectBackInCall(...users: User[]): Promise<void> {
  for (const u of users) {
    await expect.poll(() => banner(u).count(), { ...poll, timeout: 25_000 }).toBe(0);
    await waitState(u.page, 'active');
  }
}

/**
 * Registers an account over HTTP as the sign-up form would, with a display
 * name of one's own (registerUser derives it from the username). The
 * password is the one signIn types.
 */
export async function registerAs(world: { url: string }, username: string, displayName: string): Promise<void> {
  const res = await fetch(`${world.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}-password`, displayName }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
}

/** The contacts' Call and Video call buttons on the page. */
export function contactCallButtons(page: Page) {
  return page.locator('li[data-username]').getByRole('button', { name: /^(Call|Video call) / });
}

/** The call's state on the page (its stage's `data-state`), or 'none' without a call (callPanel): for polls whose failure shows where it stood. */
export async function callState(page: Page): Promise<string> {
  const call = callPanel(page);
  return (await call.count()) === 0 ? 'none' : ((await call.first().getAttribute('data-state')) ?? 'none');
}
