/**
 * In-call chat in the browser: messages go peer to peer over the call's data
 * channel, arrive in order on every side, count as unread while the panel is
 * closed, and leave only a note in the call's history.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, type User, type World } from './harness.js';
import { chatLines, expectChat, openChat, sendChat, unreadChat } from './media.js';
import { establishCall, poll, waitState } from './steps.js';

const it = e2eTest({ team: ['alice', 'bob'] });

async function hangUp(u: User, ...others: User[]): Promise<void> {
  await u.page.getByRole('button', { name: 'Hang up' }).click();
  for (const x of [u, ...others]) await waitState(x.page, 'ended');
  await closeEnded(u, ...others);
}

/** The newest history row's notes on each side. */
async function newestHistoryNotes(u: User): Promise<{ chat: number; text: string }> {
  await u.page.getByRole('button', { name: /^History/ }).click();
  const row = u.page.locator('section[aria-labelledby="history-title"] li').first();
  await row.waitFor();
  return { chat: await row.locator('.chat-note').count(), text: (await row.textContent()) ?? '' };
}

/** A message that must never reach the server. */
const SECRET = 'the-password-is-swordfish';

/** Every file of the server's data dir (database, WAL), as text. */
function serverFiles(world: World): string {
  const dir = path.join(world.dataDir, 'server');
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
    .join('\n');
}

describe('in-call chat', () => {
  it('1. messages arrive in order on both sides; unread counts while the panel is closed', async ({ team: { alice, bob } }) => {
    await establishCall(alice, bob, 'Bob');
    // Sent in a burst, straight after the call connects.
    await sendChat(alice, 'one', 'two', 'three');
    await expect.poll(() => unreadChat(bob.page), poll).toBe(3);
    expect(await bob.page.locator('button.chat-toggle').getAttribute('aria-label')).toBe('Chat, 3 unread');
    await openChat(bob);
    expect(await unreadChat(bob.page)).toBe(0);
    await sendChat(bob, 'four', 'five');
    await sendChat(alice, 'six');
    const all = ['one', 'two', 'three', 'four', 'five', 'six'];
    const mineFor = (me: string) => (text: string, i: number): [string, string] => [i < 3 || i === 5 ? (me === 'alice' ? 'You' : 'Alice') : me === 'bob' ? 'You' : 'Bob', text];
    await expectChat([
      [alice, all.map(mineFor('alice'))],
      [bob, all.map(mineFor('bob'))],
    ]);
    // The open panel counts nothing.
    expect(await unreadChat(bob.page)).toBe(0);
    // Closed again, new messages count again.
    await bob.page.getByRole('button', { name: 'Close chat' }).click();
    await sendChat(alice, SECRET);
    await expect.poll(() => unreadChat(bob.page), poll).toBe(1);
  });

  it('2. after the call, both histories note that chat happened (not what was said); the chat is gone', async ({ team: { alice, bob }, world }) => {
    await hangUp(alice, bob);
    for (const u of [alice, bob]) {
      const notes = await newestHistoryNotes(u);
      expect(notes.chat).toBe(1);
      expect(notes.text).not.toContain(SECRET);
    }
    // The server stored a flag, never a message.
    expect(serverFiles(world)).not.toContain(SECRET);
  });

  it('3. a call without chat has no note, and starts with an empty chat', async ({ team: { alice, bob } }) => {
    await establishCall(bob, alice, 'Alice');
    await openChat(alice);
    expect(await chatLines(alice.page)).toEqual([]);
    await hangUp(bob, alice);
    for (const u of [alice, bob]) expect((await newestHistoryNotes(u)).chat).toBe(0);
  });
});
