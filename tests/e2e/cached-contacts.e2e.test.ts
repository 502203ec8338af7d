/**
 * Opening Parley again: the last session's contact list (kept in
 * localStorage, per server and user) is shown at once, its presence as
 * unknown and its Call buttons greyed until the server answers (a click
 * waits for it): the handshake names the copy's contacts, so session:ready
 * brings their presence; the server's listing then replaces the copy. A malformed or someone else's copy is ignored.
 * Without a copy, the list asked for over HTTP before the code loaded (early.js) is shown before any socket. And on a
 * first visit, with the call stage's code loaded on demand, a call still
 * rings and connects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, user, WEB_ROOT } from './harness.js';
import { callPanel } from './page-probes.js';
import { answerCall, callState, dial, endedText, expectAudioFlowing, poll, waitState } from './steps.js';
import { checkScreen } from './ui-checks.js';

const CACHE_KEY = 'parley.directory.v1'; // src/renderer/src/directory/directory-cache.ts

/** While true, alice's page cannot reach the server's Socket.IO (the page itself still loads). */
let held = false;
/** While true, alice's page's directory:list requests never reach the server. */
let listingHeld = false;

const row = (page: Page, username: string) => page.locator(`li[data-username="${username}"]`);
const statusOf = (page: Page, username: string) => row(page, username).locator('.status').textContent();

async function holdServer(page: Page): Promise<void> {
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (held) return void ws.close();
    const server = ws.connectToServer();
    // A handler of the page's messages forwards them itself (the server's still reach the page unhandled).
    ws.onMessage((message) => {
      if (!(listingHeld && typeof message === 'string' && message.includes('"directory:list"'))) server.send(message);
    });
  });
  await page.route(/\/socket\.io\//, (route) => (held ? route.abort() : route.continue()));
}

/** Lets the server answer, and tells the page the network is back (it reconnects now, not at its next backoff step). */
async function releaseServer(page: Page): Promise<void> {
  held = false;
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
}

const readCache = (page: Page) => page.evaluate((key) => localStorage.getItem(key), CACHE_KEY);
const writeCache = (page: Page, value: string) => page.evaluate(([key, v]) => localStorage.setItem(key!, v!), [CACHE_KEY, value]);

/** Counts the page's reads of the copy (an init script): the app reads it once it knows who is signed in. */
function countCopyReads(key: string): void {
  const w = window as unknown as { __copyReads: number };
  w.__copyReads = 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the storage it belongs to
  const getItem = Storage.prototype.getItem;
  Storage.prototype.getItem = function (this: Storage, k: string) {
    if (k === key) w.__copyReads++;
    return getItem.call(this, k);
  };
}

/** The app has read the copy on this visit, and drawn what it made of it (two frames on); early.js's look for one is the first read. */
async function copyRead(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => (window as unknown as { __copyReads: number }).__copyReads), poll).toBeGreaterThan(1);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const it = e2eTest({ team: ['alice'], alsoRegistered: ['bob', 'carol', 'dave', 'erin'] })
  // alice's page reaches the server only while `held` is false.
  .extend('alice', { scope: 'file' }, async ({ team: { alice } }) => {
    await holdServer(alice.page);
    await alice.context.addInitScript(countCopyReads, CACHE_KEY);
    return alice;
  });

describe('a returning visit', () => {
  it('keeps the listing for the next visit', async ({ alice, world }) => {
    await expect.poll(async () => (await readCache(alice.page)) ?? '', poll).toContain('"carol"');
    const cached = JSON.parse((await readCache(alice.page))!) as { serverUrl: string; username: string; users: { username: string }[] };
    expect(cached.serverUrl).toBe(world.url);
    expect(cached.username).toBe('alice');
    expect(cached.users.map((u) => u.username).sort()).toEqual(['bob', 'carol', 'dave', 'erin']);
  });

  it('shows the last list before the server answers, presence unknown and calls off, then the server replaces it', async ({ alice }) => {
    const cached = JSON.parse((await readCache(alice.page))!) as { users: { username: string; displayName: string; status: string }[] };
    // Since then: Bob was renamed, and someone who has left the team is still in the copy.
    const stale = { ...cached, users: [...cached.users.map((u) => (u.username === 'bob' ? { ...u, displayName: 'Bob Old', status: 'available' } : u)), { username: 'gone', displayName: 'Gone Person', status: 'available' }] };
    await writeCache(alice.page, JSON.stringify(stale));
    held = true;
    await alice.page.reload();
    await row(alice.page, 'gone').waitFor();
    expect(await row(alice.page, 'bob').locator('.name').textContent()).toContain('Bob Old');
    // Last session's "available" is not shown as today's.
    expect(await statusOf(alice.page, 'bob')).toBe('Status unknown');
    expect(await alice.page.getByRole('button', { name: 'Call Bob Old', exact: true }).isDisabled()).toBe(true);
    await checkScreen('cached-contacts', alice.page);

    await releaseServer(alice.page);
    await row(alice.page, 'gone').waitFor({ state: 'detached' });
    await expect.poll(() => row(alice.page, 'bob').locator('.name').textContent(), poll).toContain('Bob');
    expect(await row(alice.page, 'bob').locator('.name').textContent()).not.toContain('Old');
    await expect.poll(() => statusOf(alice.page, 'bob'), poll).toBe('Offline');
    expect(await alice.page.getByRole('button', { name: 'Call Bob', exact: true }).isEnabled()).toBe(true);
    await expect.poll(async () => (await readCache(alice.page)) ?? '', poll).not.toContain('"gone"');
  });

  it("names the copy's contacts in the handshake: session:ready brings their presence and turns their Call buttons on, the listing still on its way", async ({ alice }) => {
    const cached = JSON.parse((await readCache(alice.page))!) as { users: { username: string; displayName: string; status: string }[] };
    // Someone who has left the team is still in the copy: only the listing can take them out.
    await writeCache(alice.page, JSON.stringify({ ...cached, users: [...cached.users, { username: 'gone', displayName: 'Gone Person', status: 'available' }] }));
    listingHeld = true;
    await alice.page.reload();
    // The copy says "offline" too, but shows it as unknown: a known status is this session's.
    await expect.poll(() => statusOf(alice.page, 'bob'), poll).toBe('Offline');
    expect(await statusOf(alice.page, 'carol')).toBe('Offline');
    expect(await alice.page.getByRole('button', { name: 'Call Bob', exact: true }).isEnabled()).toBe(true);
    expect(await row(alice.page, 'gone').count()).toBe(1);
    listingHeld = false;
    await alice.page.reload();
    // The listing came, and the copy it wrote is done with before the next test writes its own.
    await row(alice.page, 'gone').waitFor({ state: 'detached' });
    await expect.poll(async () => (await readCache(alice.page)) ?? '', poll).not.toContain('"gone"');
  });

  it('ignores a malformed copy, or one of another user or server, and waits for the server', async ({ alice }) => {
    const wellFormed = (await readCache(alice.page))!;
    const parsed = JSON.parse(wellFormed) as { users: unknown[] };
    const copies = [
      '{"serverUrl": "not json',
      JSON.stringify({ ...parsed, users: [{ username: 'bob' }] }),
      JSON.stringify({ ...parsed, users: 'bob' }),
      JSON.stringify({ ...parsed, username: 'mallory' }),
      JSON.stringify({ ...parsed, serverUrl: 'https://elsewhere.example' }),
    ];
    for (const copy of copies) {
      await writeCache(alice.page, copy);
      held = true;
      await alice.page.reload();
      await alice.page.getByRole('navigation', { name: 'Sections' }).waitFor();
      // A wrongly accepted copy would be drawn by now.
      await copyRead(alice.page);
      expect(await alice.page.locator('li[data-username]').count(), copy).toBe(0);
      await releaseServer(alice.page);
      await row(alice.page, 'bob').waitFor();
      await expect.poll(async () => JSON.parse((await readCache(alice.page)) ?? 'null') as unknown, poll).toEqual(JSON.parse(wellFormed));
    }
  });

  it('a click on Call, in the list or on a favourite at home, before the server answers shows the call waiting for it, and places it once the server answers (issue 35)', async ({ alice }) => {
    // The star shows on a hovered row.
    await row(alice.page, 'bob').hover();
    await alice.page.getByRole('button', { name: 'Add Bob to favorites' }).click();
    for (const name of ['Call Bob', 'Call Bob now']) {
      held = true;
      await alice.page.reload();
      await row(alice.page, 'bob').waitFor();
      const call = alice.page.getByRole('button', { name, exact: true });
      // Greyed and saying why, yet it takes the click (force: past Playwright's wait for an enabled button), as a person's click would.
      expect(await call.getAttribute('aria-disabled'), name).toBe('true');
      expect(await call.getAttribute('aria-describedby').then((id) => alice.page.locator(`#${id}`).textContent()), name).toContain('a call waits for it');
      await call.click({ force: true });
      await expect.poll(() => callPanel(alice.page).locator('.state:visible').textContent(), poll).toBe('Waiting for the server…');
      expect(await callState(alice.page), name).toBe('outgoing');
      if (name === 'Call Bob') await checkScreen('call-waiting-for-server', alice.page);
      await releaseServer(alice.page);
      // Placed: bob is not signed in here, so the server refuses it in words.
      expect(await endedText(alice.page), name).toBe('Bob is offline');
      await closeEnded(alice);
    }
    await alice.page.getByRole('button', { name: 'Remove Bob from favorites' }).click();
  });

  it('Settings and the call code that the server no longer has (a page left open across an update) say so, with Reload, never a blank page', async ({ alice }) => {
    // Settings is in the call code's chunk (electron.vite.config.ts).
    const gone = /\/assets\/call-[^/]*\.(js|css)$/;
    await alice.page.route(gone, (route) => route.fulfill({ status: 404 }));
    await alice.page.reload();
    // Under the contacts, where the rooms would be: calls cannot work either, said before any click on Call.
    await expect.poll(() => alice.page.getByRole('alert').filter({ hasText: 'Calls and rooms could not be loaded' }).count(), poll).toBe(1);
    await checkScreen('calls-unavailable', alice.page);
    await alice.page.getByRole('button', { name: 'Settings' }).first().click();
    await expect.poll(() => alice.page.getByRole('alert').filter({ hasText: 'Settings could not be loaded' }).count(), poll).toBe(1);
    await checkScreen('settings-unavailable', alice.page);
    await alice.page.unroute(gone);
    await alice.page.getByRole('main').getByRole('button', { name: 'Reload' }).click();
    await alice.page.waitForEvent('load');
    await alice.page.getByRole('button', { name: 'Settings' }).first().click();
    await alice.page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('without a copy (a first visit, signed in), the list comes over HTTP while the code loads, before any socket; a refused or malformed answer leaves it to the socket', async ({ alice }) => {
    const directoryApi = /\/api\/directory\?/;
    const refusals = [
      { status: 401, body: { code: 'unauthorized', message: 'Sign in first' } },
      { status: 200, body: { users: [{ username: 'bob' }] } },
    ];
    // The copy goes as the next page starts: removed from this one, a listing still being kept could write it back.
    await alice.context.addInitScript((key) => {
      if (sessionStorage.getItem('e2e:forget-copy') === null) return;
      sessionStorage.removeItem('e2e:forget-copy');
      localStorage.removeItem(key);
    }, CACHE_KEY);
    for (const refusal of [null, ...refusals]) {
      await alice.page.evaluate(() => sessionStorage.setItem('e2e:forget-copy', '1'));
      if (refusal) await alice.page.route(directoryApi, (route) => route.fulfill({ status: refusal.status, json: refusal.body }));
      // The socket held: only the HTTP answer can list anyone.
      held = true;
      const answered = alice.page.waitForResponse(directoryApi);
      await alice.page.reload();
      await answered;
      if (!refusal) {
        await row(alice.page, 'bob').waitFor();
        expect(await alice.page.locator('li[data-username]').count()).toBe(4);
      } else {
        await alice.page.getByRole('navigation', { name: 'Sections' }).waitFor();
        // The app has taken the answer; a wrongly accepted one would be drawn two frames on.
        await expect.poll(() => alice.page.evaluate(() => 'parleyEarlyDirectory' in window), poll).toBe(false);
        await alice.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        expect(await alice.page.locator('li[data-username]').count(), JSON.stringify(refusal)).toBe(0);
        await alice.page.unroute(directoryApi);
      }
      await releaseServer(alice.page);
      // The socket's listing, kept for the next visit as ever.
      await expect.poll(async () => (await readCache(alice.page)) ?? '', poll).toContain('"bob"');
    }
  });

  it('forgets the copy on sign-out', async ({ alice }) => {
    await alice.page.getByRole('button', { name: 'Settings' }).first().click();
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await readCache(alice.page)).toBeNull();
  });
});

describe('a first visit', () => {
  it('loads each chunk when it is needed: the connection without the call code; the rooms and the screens behind tabs with it', () => {
    const assets = path.join(WEB_ROOT, 'assets');
    const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const chunk = (name: string) => files.find((f) => f.startsWith(`${name}-`)) ?? expect.fail(`no ${name} chunk`);
    const text = (name: string) => readFileSync(path.join(assets, chunk(name)), 'utf8');
    // What a chunk imports statically loads with it (electron.vite.config.ts: codeSplitting).
    const imports = (name: string) => [...text(name).matchAll(/from"\.\/([^"]+)-[\w-]+\.js"/g)].map((m) => m[1]);
    expect(imports('signaling')).not.toContain('call');
    expect(imports('index')).toEqual([]);
    // The rooms' list and Settings are in the call code's file, not in the first paint's nor in files of their own.
    for (const words of ['Rooms on this server', 'Sign out']) {
      expect(text('call')).toContain(words);
      expect(text('index')).not.toContain(words);
    }
    expect(files.filter((f) => /^(screens|Rooms|History|Settings)-/.test(f))).toEqual([]);
  });

  it('has the call stage outside the first-paint script, and a call rings and connects', async ({ world }) => {
    const index = readFileSync(path.join(WEB_ROOT, 'index.html'), 'utf8');
    expect(index).not.toMatch(/CallStage/);
    const [bob, carol] = [await user(world, 'bob'), await user(world, 'carol')];
    // At once: neither page has made a call yet.
    await dial(carol, 'Bob');
    await answerCall(bob);
    await waitState(carol.page, 'active');
    await waitState(bob.page, 'active');
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(carol.page);
  });

  it('a click on Call while the call code is still on its way is answered at once with the call on screen, placed when the code comes; cancelled before, it is never placed', async ({ world }) => {
    const [dave, erin] = [await user(world, 'dave'), await user(world, 'erin')];
    const callCode = /\/assets\/call-[^/]*\.js$/;
    for (const cancel of [false, true]) {
      // The call chunk held back: the page's code for calls and their stage does not come until released.
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      await erin.page.route(callCode, async (route) => {
        await released;
        await route.continue();
      });
      // Not to the load event: the held chunk's script, added by the page's loader, keeps the page loading.
      await erin.page.reload({ waitUntil: 'domcontentloaded' });
      const call = erin.page.getByRole('button', { name: 'Call Dave', exact: true });
      await expect.poll(() => call.getAttribute('aria-disabled'), poll).not.toBe('true');
      await call.click();
      await expect.poll(() => callPanel(erin.page).locator('.state:visible').textContent(), poll).toBe('Calling…');
      expect(await callState(erin.page)).toBe('outgoing');
      expect(await erin.page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/assets\/call-[^/]*\.js$/.test(e.name)))).toBe(false);
      if (!cancel) await checkScreen('call-dialing-before-code', erin.page);
      if (cancel) await erin.page.getByRole('button', { name: 'Cancel call to Dave' }).click();
      const loaded = erin.page.waitForResponse(callCode);
      release();
      await loaded;
      await erin.page.unroute(callCode);
      if (cancel) {
        // The code is there, and the click was given up: no call on either side, then or a frame later.
        await erin.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        expect(await callState(erin.page)).toBe('none');
        expect(await callState(dave.page)).toBe('none');
      } else {
        await waitState(dave.page, 'incoming');
        await erin.page.getByRole('button', { name: 'Cancel call to Dave' }).click();
        await waitState(dave.page, 'ended');
        await closeEnded(erin, dave);
      }
    }
  });
});
