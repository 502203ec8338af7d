/**
 * Files in the call's chat, in Chromium: a file goes over the call's own
 * connections (a second data channel) only once the receiver accepts it (or
 * it is within their auto-accept size), shows progress on both sides, is
 * offered for saving only once its hash matched, and what the receiver saves
 * is byte for byte what was sent; in a group call it goes to each person over
 * their own connection, with a row per person. A declined file never comes,
 * and its sender is told. Either side can cancel, and the receiver's size
 * limit (Settings) refuses a larger file before it is sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, type User, type World } from './harness.js';
import { openChat } from './media.js';
import { expectReceivesEveryone, joinRoom, leave } from './rooms.js';
import { eachOf, establishCall, poll, waitState } from './steps.js';
import { axeScan, checkScreen, eachLook, shoot } from './ui-checks.js';

const it = e2eTest({ team: ['alice', 'bob', 'carol'] });

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Random bytes that start with a marker, so the server's files can be searched for them. */
function payload(size: number, marker: string): Buffer {
  const data = randomBytes(size);
  data.write(marker, 0, 'latin1');
  return data;
}

/**
 * Picks files in the chat panel's file picker, as the paperclip does: from disk, by path, through the DevTools
 * protocol's DOM.setFileInputFiles (what Playwright's setInputFiles does with a browser it launched; over the shared
 * browser's connection it would stream every byte through that connection first, 20 s for 90 MB).
 */
async function sendFiles(world: World, u: User, files: [string, Buffer][]): Promise<void> {
  await openChat(u);
  const dir = path.join(world.dataDir, 'files', u.name);
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files) writeFileSync(path.join(dir, name), data);
  const picker = 'section.chat input[type="file"]';
  await u.page.locator(picker).waitFor({ state: 'attached' });
  const cdp = await u.page.context().newCDPSession(u.page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(picker)})` });
    await cdp.send('DOM.setFileInputFiles', { objectId: result.objectId, files: files.map(([name]) => path.join(dir, name)) });
  } finally {
    await cdp.detach();
  }
}

const sendFile = (world: World, u: User, name: string, data: Buffer) => sendFiles(world, u, [[name, data]]);

/** From now on, every value the page's file progress bars take. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __progress: number[] };
    w.__progress = [];
    new MutationObserver((records) => {
      // Progress bars only: the call's level bars are meters with a value of their own.
      for (const r of records) if ((r.target as Element).getAttribute('role') === 'progressbar') w.__progress.push(Number((r.target as Element).getAttribute('aria-valuenow')));
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
}

function progressSeen(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
}

/** The status line of the file `name` in `u`'s chat (each person's, in a group, joined by ' | '). */
async function fileStatus(u: User, name: string): Promise<string> {
  const card = u.page.locator('section.chat .file', { hasText: name }).last();
  if ((await card.count()) === 0) return '';
  return (await card.locator('.status').allTextContents()).map((t) => t.trim()).join(' | ');
}

/** Accepts the file `name` offered to `u`, from the keyboard (its button's accessible name says which file). */
async function accept(u: User, name: string): Promise<void> {
  await openChat(u);
  const button = u.page.getByRole('button', { name: `Accept ${name}` });
  await button.waitFor({ timeout: 30_000 });
  await button.focus();
  await u.page.keyboard.press('Enter');
}

/**
 * Accepts each of `names` as it is offered: files picked together are hashed
 * side by side, and offered one at a time in whichever order their hashes finish.
 */
async function acceptEach(u: User, names: string[]): Promise<void> {
  await openChat(u);
  const left = new Set(names);
  while (left.size > 0) {
    const pattern = [...left].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const button = u.page.getByRole('button', { name: new RegExp(`^Accept (${pattern})$`) }).first();
    await button.waitFor({ timeout: 30_000 });
    const label = (await button.getAttribute('aria-label')) ?? '';
    await button.click();
    left.delete(label.slice('Accept '.length));
  }
}

/** Messages that came in on the page's `files` data channels (the bytes of files), all its connections together. */
function fileFramesIn(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let frames = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; label?: string; messagesReceived?: number }>) {
        if (s.type === 'data-channel' && s.label === 'files') frames += s.messagesReceived ?? 0;
      }
    }
    return frames;
  });
}

/** Saves the received file `name` through its Save link, as a person would, and reads what was saved. */
async function save(world: World, u: User, name: string): Promise<Buffer> {
  await openChat(u);
  const link = u.page.getByRole('link', { name: `Save ${name}` });
  await link.waitFor({ timeout: 30_000 });
  const [download] = await Promise.all([u.page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(name);
  // A copy beside the sent ones (the shared browser's own download folder is not reachable from here).
  const file = path.join(world.dataDir, 'saved', u.name, name);
  await download.saveAs(file);
  return readFileSync(file);
}

/** Every file of the server's data dir, as text. */
function serverFiles(world: World): string {
  const dir = path.join(world.dataDir, 'server');
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
    .join('\n');
}

async function hangUp(u: User, ...others: User[]): Promise<void> {
  await u.page.getByRole('button', { name: 'Hang up' }).click();
  for (const x of [u, ...others]) await waitState(x.page, 'ended');
  await closeEnded(u, ...others);
}

// Files of 8 and 90 MB are written, hashed and sent: on a loaded machine that takes its time.
describe('files in the chat', { timeout: 150_000 }, () => {
  it('1. a file arrives intact, with progress on both sides, and is saved byte for byte', async ({ team: { alice, bob }, world }) => {
    await establishCall(alice, bob, 'Bob');
    await openChat(bob);
    for (const u of [alice, bob]) await recordProgress(u.page);
    const data = payload(8 * 1024 * 1024, 'PARLEY-FILE-MARKER-1');
    const started = Date.now();
    await sendFile(world, alice, 'report.bin', data);
    await accept(bob, 'report.bin');
    const saved = await save(world, bob, 'report.bin');
    const ms = Date.now() - started;
    expect(saved.length).toBe(data.length);
    expect(sha256(saved)).toBe(sha256(data));
    await expect.poll(() => fileStatus(alice, 'report.bin'), poll).toBe('Delivered intact');
    expect(await fileStatus(bob, 'report.bin')).toBe('Arrived intact');
    // Progress on both sides: steps between empty and full, never backwards.
    for (const u of [alice, bob]) {
      const seen = await progressSeen(u.page);
      expect(seen.filter((p) => p > 0 && p < 100).length, `${u.name}'s progress values: ${seen.join(',')}`).toBeGreaterThan(3);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
    }
    console.info(`8 MB sent, checked and saved in ${ms} ms`);
    // Nothing of it went through the server.
    expect(serverFiles(world)).not.toContain('PARLEY-FILE-MARKER-1');
    expect(serverFiles(world)).not.toContain('report.bin');
  });

  it('2. a file offered waits for the receiver: nothing of it comes, nothing can be saved, until they accept it', async ({ team: { alice, bob }, world }) => {
    await openChat(bob);
    const framesBefore = await fileFramesIn(bob.page);
    const data = payload(2 * 1024 * 1024, 'PARLEY-FILE-MARKER-10');
    await sendFile(world, alice, 'unsolicited.bin', data);
    await expect.poll(() => fileStatus(bob, 'unsolicited.bin'), poll).toBe('Alice wants to send you this file');
    await expect.poll(() => fileStatus(alice, 'unsolicited.bin'), poll).toBe('Waiting for Bob to accept…');
    // A while later: still waiting on both sides, no byte of it came, nothing to save or watch.
    await bob.page.waitForTimeout(3000);
    expect(await fileStatus(alice, 'unsolicited.bin')).toBe('Waiting for Bob to accept…');
    expect(await fileFramesIn(bob.page)).toBe(framesBefore);
    expect(await bob.page.getByRole('link', { name: 'Save unsolicited.bin' }).count()).toBe(0);
    expect(await bob.page.getByRole('progressbar', { name: 'Receiving unsolicited.bin' }).count()).toBe(0);
    await axeScan(bob.page, 'file offered, bob');
    await accept(bob, 'unsolicited.bin');
    expect(sha256(await save(world, bob, 'unsolicited.bin'))).toBe(sha256(data));
    expect(await fileFramesIn(bob.page)).toBeGreaterThan(framesBefore);
    await expect.poll(() => fileStatus(alice, 'unsolicited.bin'), poll).toBe('Delivered intact');
  });

  it('3. a declined file never comes, and the sender reads that Bob declined', async ({ team: { alice, bob }, world }) => {
    await openChat(bob);
    const framesBefore = await fileFramesIn(bob.page);
    await sendFile(world, alice, 'declined.bin', payload(3 * 1024 * 1024, 'PARLEY-FILE-MARKER-11'));
    const decline = bob.page.getByRole('button', { name: 'Decline declined.bin' });
    await decline.waitFor({ timeout: 30_000 });
    await decline.click();
    await expect.poll(() => fileStatus(alice, 'declined.bin'), poll).toBe('Bob declined');
    expect(await fileStatus(bob, 'declined.bin')).toBe('You declined it');
    for (const u of [alice, bob]) expect(await u.page.getByRole('button', { name: /declined\.bin$/ }).count(), `${u.name}'s buttons`).toBe(0);
    expect(await bob.page.getByRole('link', { name: 'Save declined.bin' }).count()).toBe(0);
    expect(await fileFramesIn(bob.page)).toBe(framesBefore);
    // The next file waits for its own answer.
    await sendFile(world, alice, 'after.txt', Buffer.from('after the declined one'));
    await accept(bob, 'after.txt');
    expect((await save(world, bob, 'after.txt')).toString()).toBe('after the declined one');
    expect(await fileFramesIn(bob.page)).toBe(framesBefore + 1);
    expect(await bob.page.getByRole('link', { name: 'Save declined.bin' }).count()).toBe(0);
  });

  it('4. the receiver cancels a file on its way: both sides say so, nothing is offered for saving', async ({ team: { alice, bob }, world }) => {
    await sendFile(world, alice, 'big.bin', payload(90 * 1024 * 1024, 'PARLEY-FILE-MARKER-2'));
    await accept(bob, 'big.bin');
    // Under way on both sides: how it looks, and what assistive technology is told.
    await bob.page.getByRole('progressbar', { name: 'Receiving big.bin' }).waitFor({ timeout: 30_000 });
    // At once: on a quiet machine 90 MB cross loopback in seconds, less than the looks below take.
    await bob.page.getByRole('button', { name: 'Cancel big.bin' }).click();
    await expect.poll(() => fileStatus(bob, 'big.bin'), poll).toBe('Cancelled');
    await expect.poll(() => fileStatus(alice, 'big.bin'), poll).toBe('Bob cancelled it');
    for (const u of [alice, bob]) {
      await shoot(u.page, `chat-files-cancelled-${u.name}`);
      await axeScan(u.page, `file cancelled, ${u.name}`);
    }
    expect(await bob.page.getByRole('link', { name: 'Save big.bin' }).count()).toBe(0);
    // The chat goes on: a message still arrives.
    await alice.page.getByLabel('Message', { exact: true }).fill('still here');
    await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => bob.page.locator('section.chat .text', { hasText: 'still here' }).count(), poll).toBe(1);
  });

  it('5. the sender cancels: the receiver is told', async ({ team: { alice, bob }, world }) => {
    await sendFile(world, alice, 'big2.bin', payload(90 * 1024 * 1024, 'PARLEY-FILE-MARKER-3'));
    await accept(bob, 'big2.bin');
    await bob.page.getByRole('progressbar', { name: 'Receiving big2.bin' }).waitFor({ timeout: 30_000 });
    await alice.page.getByRole('button', { name: 'Cancel big2.bin' }).click();
    await expect.poll(() => fileStatus(alice, 'big2.bin'), poll).toBe('Cancelled');
    await expect.poll(() => fileStatus(bob, 'big2.bin'), poll).toBe('Alice cancelled it');
  });

  it('6. several files picked together are offered one after the other, each arriving intact once accepted', async ({ team: { alice, bob }, world }) => {
    const files = [payload(3 * 1024 * 1024, 'PARLEY-FILE-MARKER-8'), payload(5 * 1024 * 1024 + 7, 'PARLEY-FILE-MARKER-9'), Buffer.alloc(0)];
    const names = ['one.bin', 'two.bin', 'empty.txt'];
    await sendFiles(world, alice, names.map((name, i) => [name, files[i]!]));
    // All in before any is saved: a card still growing below would move the Save link under the click.
    await acceptEach(bob, names);
    for (const name of names) await expect.poll(() => fileStatus(bob, name), { timeout: 60_000, interval: 250 }).toBe('Arrived intact');
    for (const [i, name] of names.entries()) expect(sha256(await save(world, bob, name))).toBe(sha256(files[i]!));
    for (const name of names) await expect.poll(() => fileStatus(alice, name), poll).toBe('Delivered intact');
  });

  it('7. a file dropped on the chat panel is sent; one dropped beside it is refused, not opened in place of the app', async ({ team: { alice, bob }, world }) => {
    await openChat(alice);
    const beside = await alice.page.evaluate(() => {
      const drag = (target: Element, type: string) => {
        const dataTransfer = new DataTransfer();
        dataTransfer.items.add(new File(['dropped on the chat'], 'dropped.txt', { type: 'text/plain' }));
        const event = new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true });
        target.dispatchEvent(event);
        return event.defaultPrevented;
      };
      const panel = document.querySelector('section.chat')!;
      drag(panel, 'dragover');
      drag(panel, 'drop');
      const stage = document.querySelector('section.call .tiles') ?? document.body;
      return { over: drag(stage, 'dragover'), drop: drag(stage, 'drop') };
    });
    expect(beside).toEqual({ over: true, drop: true });
    await accept(bob, 'dropped.txt');
    expect((await save(world, bob, 'dropped.txt')).toString()).toBe('dropped on the chat');
    await expect.poll(() => fileStatus(alice, 'dropped.txt'), poll).toBe('Delivered intact');
  });

  it('8. a file over the receiver\'s limit (Settings) is refused before it is sent; over one\'s own, it is not sent; one within their auto-accept size comes unasked', async ({ team: { alice, bob }, world }) => {
    await hangUp(alice, bob);
    await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await bob.page.getByLabel('Largest file to send or receive').selectOption('10');
    await bob.page.getByLabel('Accept without asking').selectOption('1');
    await establishCall(alice, bob, 'Bob');
    await sendFile(world, alice, 'eleven.bin', payload(11 * 1024 * 1024, 'PARLEY-FILE-MARKER-4'));
    await expect.poll(() => fileStatus(alice, 'eleven.bin'), poll).toBe('Not sent: Bob has a limit of 10 MB');
    await openChat(bob);
    await expect.poll(() => fileStatus(bob, 'eleven.bin'), poll).toBe('Not received: larger than your limit of 10 MB (Settings)');
    // Bob's own limit holds for what he sends too.
    await sendFile(world, bob, 'twelve.bin', payload(12 * 1024 * 1024, 'PARLEY-FILE-MARKER-5'));
    expect(await fileStatus(bob, 'twelve.bin')).toBe('Not sent: larger than your limit of 10 MB (Settings)');
    // Within his auto-accept size (1 MB), a file comes without his Accept; just over it, it waits.
    const small = payload(1024 * 1024, 'PARLEY-FILE-MARKER-12');
    await sendFile(world, alice, 'small.bin', small);
    expect(sha256(await save(world, bob, 'small.bin'))).toBe(sha256(small));
    await sendFile(world, alice, 'just-over.bin', payload(1024 * 1024 + 1, 'PARLEY-FILE-MARKER-13'));
    await expect.poll(() => fileStatus(bob, 'just-over.bin'), poll).toBe('Alice wants to send you this file');
    await hangUp(alice, bob);
    // Back to the default for the tests below: ask about every file.
    await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await bob.page.getByLabel('Accept without asking').selectOption('0');
  });

  it('9. in a group call a file goes to each person over their own connection, with progress per person', async ({ team: { alice, bob, carol }, world }) => {
    for (const u of [alice, bob, carol]) await joinRoom(u, 'files');
    await eachOf([alice, bob, carol], (u) => expectReceivesEveryone(u, 2));
    for (const u of [bob, carol]) await openChat(u);
    await recordProgress(alice.page);
    const data = payload(8 * 1024 * 1024, 'PARLEY-FILE-MARKER-6');
    await sendFile(world, alice, 'slides.bin', data);
    for (const u of [bob, carol]) await accept(u, 'slides.bin');
    // A row per person on the sender's side, each with its own bar.
    await alice.page.getByRole('progressbar', { name: 'Sending slides.bin to Bob' }).or(alice.page.getByText('Delivered intact')).first().waitFor();
    for (const u of [bob, carol]) expect(sha256(await save(world, u, 'slides.bin'))).toBe(sha256(data));
    await expect.poll(() => fileStatus(alice, 'slides.bin'), poll).toBe('Delivered intact | Delivered intact');
    expect(await alice.page.locator('section.chat .file .peer').allTextContents()).toEqual(['Bob', 'Carol']);
    expect((await progressSeen(alice.page)).some((p) => p > 0 && p < 100)).toBe(true);
  });

  it('10. how it looks: a file offered, accepted and declined, both sides, six looks', async ({ team: { alice, bob, carol }, world }) => {
    const name = 'a-rather-long-file-name-for-the-quarterly-review-v3-final.pdf';
    await sendFile(world, carol, name, payload(300 * 1024, 'PARLEY-FILE-MARKER-7'));
    for (const u of [alice, bob]) await openChat(u);
    await bob.page.getByRole('button', { name: `Accept ${name}` }).waitFor({ timeout: 30_000 });
    await carol.page.getByText('Waiting for Alice to accept…').waitFor();
    // Within the two minutes an offer waits.
    const started = Date.now();
    await checkScreen('chat-files-offered', { sender: carol.page, receiver: bob.page });
    console.info(`the offered file's six looks took ${Date.now() - started} ms`);
    await accept(bob, name);
    await alice.page.getByRole('button', { name: `Decline ${name}` }).click();
    await bob.page.getByRole('link', { name: /^Save a-rather-long/ }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await fileStatus(carol, name)).split(' | ').sort(), poll).toEqual(['Alice declined', 'Delivered intact']);
    await checkScreen('chat-files', { sender: carol.page, receiver: bob.page, decliner: alice.page });
    for (const u of [alice, bob, carol]) {
      await leave(u).catch(() => undefined);
      await closeEnded(u);
    }
    await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await checkScreen('settings', bob.page);
    // Its pictures show the top of the page: these show the files setting.
    const files = bob.page.getByRole('group', { name: 'Files in calls' });
    await eachLook(bob.page, async (label) => {
      await files.scrollIntoViewIfNeeded();
      await shoot(bob.page, `settings-files-${label}`);
    });
  });
});
