/**
 * What a person does in a call, as test steps shared by the browser suites:
 * dial from Contacts, answer, wait for a call state, read the ended text,
 * check that audio really flows.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { inboundAudio, type User } from './harness.js';

export const poll = { timeout: 15_000, interval: 250 };

export async function dial(from: User, toName: string): Promise<void> {
  await from.page.getByRole('button', { name: 'Contacts' }).click();
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
