/**
 * Group calls as a test sees them: joining a named room through the UI,
 * leaving, and the inbound audio of each of a page's peer connections (a
 * full mesh: one connection per other person).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { callPanel, type User } from './harness.js';
import { poll, waitState } from './steps.js';

export interface PeerAudio {
  state: RTCPeerConnectionState;
  bytesReceived: number;
  audioLevel: number;
}

/** Inbound audio on each of the page's peer connections that is not closed, oldest first. */
export function meshAudio(page: Page): Promise<PeerAudio[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      pcs.map(async (pc) => {
        let audio = { bytesReceived: 0, audioLevel: 0 };
        for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; bytesReceived?: number; audioLevel?: number }>) {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') audio = { bytesReceived: s.bytesReceived ?? 0, audioLevel: s.audioLevel ?? 0 };
        }
        return { state: pc.connectionState, ...audio };
      }),
    );
  });
}

/**
 * `u` has one connected peer connection per other person, and on every one
 * of them the bytes received grow and the level is above silence (~3e-5);
 * in a group, the in-call view shows each of them speaking (their own level).
 */
export async function expectHearsEveryone(u: User, others: string[], wait = poll): Promise<void> {
  await expectReceivesEveryone(u, others.length, wait);
  // Left with one other person, the view is a 1:1 call's again (no participant list).
  if (others.length < 2) return;
  await expectSpeaking(u, others, wait);
}

const participant = (u: User, name: string) => callPanel(u.page).locator('.participant', { hasText: name });

/** In `u`'s participant list, each of `names` has the speaking dot lit (every fake microphone plays a tone). */
export async function expectSpeaking(u: User, names: string[], wait = poll): Promise<void> {
  for (const name of names) await expect.poll(() => participant(u, name).getAttribute('data-speaking'), wait).toBe('true');
}

/** The level bar's width in `u`'s participant list, 0..100. */
async function levelShown(u: User, name: string): Promise<number> {
  return participant(u, name)
    .getByRole('meter')
    .evaluate((el) => Number(el.getAttribute('aria-valuenow')) * 100);
}

/**
 * In `u`'s participant list, `name`'s speaking dot goes off with their level
 * bar under the speaking threshold (15 %), and both stay so over the next
 * readings (longer than the dot's hold).
 */
export async function expectStaysSilent(u: User, name: string): Promise<void> {
  // What the row shows, in words: a failure says whose page showed what, and when.
  const shown = async () => `speaking ${await participant(u, name).getAttribute('data-speaking')}, level ${Math.floor(await levelShown(u, name))}`;
  const silent = (row: string) => /^speaking false, level (\d|1[0-4])$/.test(row);
  await expect.poll(async () => silent(await shown()), poll).toBe(true);
  for (let i = 0; i < 8; i++) {
    await u.page.waitForTimeout(250);
    const row = await shown();
    expect(silent(row), `${u.name}'s page, ${name}'s row, ${(i + 1) * 250} ms after it went silent: ${row}`).toBe(true);
  }
}

/**
 * `u` has `count` connected peer connections, and on every one the bytes
 * received grow and the level is above silence. Each connection is heard
 * at a reading of its own: on two busy cores one of four video calls' audio
 * can be between packets at any one reading, which is not a lost voice.
 */
export async function expectReceivesEveryone(u: User, count: number, wait = poll): Promise<void> {
  await expect.poll(async () => (await meshAudio(u.page)).filter((a) => a.state === 'connected').length, wait).toBe(count);
  const before = await meshAudio(u.page);
  const heard = new Set<number>();
  await expect
    .poll(async () => {
      const now = await meshAudio(u.page);
      if (now.length !== before.length) return `${now.length} connections, ${before.length} before`;
      now.forEach((a, i) => {
        if (a.bytesReceived > (before[i]?.bytesReceived ?? 0) && a.audioLevel > 0.01) heard.add(i);
      });
      return before.map((_, i) => i).filter((i) => !heard.has(i));
    }, wait)
    .toEqual([]);
}

/**
 * Inbound audio bytes grow at every sample over `ms` on every connected peer
 * connection of every page: no pair's audio stopped. Returns the samples taken.
 */
export async function expectMeshAudioThroughout(ms: number, ...users: User[]): Promise<number> {
  const last = new Map<User, PeerAudio[]>();
  for (const u of users) last.set(u, await meshAudio(u.page));
  let samples = 0;
  for (const end = Date.now() + ms; Date.now() < end; samples++) {
    await new Promise((r) => setTimeout(r, 500));
    for (const u of users) {
      const before = last.get(u) ?? [];
      const now = await meshAudio(u.page);
      expect(now.map((a) => a.state), `${u.name}'s peer connections at sample ${samples}`).toEqual(before.map(() => 'connected'));
      now.forEach((a, i) => expect(a.bytesReceived, `${u.name}'s connection ${i} at sample ${samples}`).toBeGreaterThan(before[i]?.bytesReceived ?? 0));
      last.set(u, now);
    }
  }
  return samples;
}

/** In `u`'s call view, each of `names` is connected and not waiting for the server (no "Lost the server" note). */
export async function expectEveryoneBack(u: User, names: string[], within: { timeout: number; interval: number } = poll): Promise<void> {
  await waitState(u.page, 'active', within.timeout);
  // One reading of every tile, which never waits for an element (a note may go between two reads).
  const tiles = () =>
    callPanel(u.page)
      .locator('.participant')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-peer')}: ${e.getAttribute('data-state')} ${e.querySelector('.note')?.textContent ?? ''}`.trim()));
  await expect.poll(async () => (await tiles()).filter((t) => names.some((n) => t.startsWith(`${n}:`))).sort(), within).toEqual(names.map((n) => `${n}: connected`).sort());
}

export async function joinRoom(u: User, room: string, code = ''): Promise<void> {
  await u.page.getByRole('button', { name: 'Contacts' }).click();
  // With rooms joined before, the form opens from "Join a room".
  if (!(await u.page.getByLabel('Room name').isVisible())) await u.page.getByRole('button', { name: 'Join a room' }).click();
  await u.page.getByLabel('Room name').fill(room);
  await u.page.getByLabel('Join code (if any)').fill(code);
  await u.page.getByRole('button', { name: 'Join', exact: true }).click();
}

export async function leave(u: User): Promise<void> {
  await u.page.getByRole('button', { name: 'Leave call' }).click();
  await waitState(u.page, 'ended');
}
