/**
 * The face's behaviour: Escape on the incoming card declines (even with the
 * Answer button focused); the call controls are one toolbar whose Mute is a
 * toggle that keeps its name; someone who registers while others are signed
 * in appears in their contacts within two seconds, with their presence, and
 * can be called; and while the server is unreachable there is one banner in
 * words, with the Call buttons disabled and no transport error text, all of
 * which clears without a reload once the server is back.
 */
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, registerUser, user, type User } from './harness.js';
import { callState, contactCallButtons, dial, endedText, establishCall, poll, waitState } from './steps.js';

/** Signed in by the test that registers her. */
let carol: User | undefined;

const it = e2eTest({
  team: ['alice', 'bob'],
  afterEach: async ({ team: { alice, bob } }) => {
    const users = [alice, bob, carol].filter((u): u is User => u !== undefined);
    // Whatever a failed test left ringing or going, ended from the side that can.
    // (The other side's view may end meanwhile: each click gives up quickly.)
    for (const u of users) {
      const state = await callState(u.page);
      const end =
        state === 'outgoing' ? /^Cancel call to / : state === 'incoming' ? /^Decline$/ : state === 'none' || state === 'ended' ? null : /^(Hang up|Leave call)$/;
      if (end) await u.page.getByRole('button', { name: end }).click({ timeout: 2000 }).catch(() => undefined);
    }
    await closeEnded(...users);
  },
});

const openContacts = (u: User) => u.page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Contacts' }).click();

/** Words a person should never read: what Socket.IO and fetch say about a transport. */
const TRANSPORT_TEXT = /xhr poll error|websocket error|Cannot reach the server:/gi;

/** All the text on the page, shown or not, with the names and titles elements carry. */
function pageWords(u: User): Promise<string> {
  return u.page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label], [title], [aria-description]')].map((el) =>
      ['aria-label', 'title', 'aria-description'].map((a) => el.getAttribute(a) ?? '').join(' '),
    );
    return `${document.body.textContent} ${attrs.join(' ')}`;
  });
}

/** Over `ms`, every half second, no transport error text on either page. */
async function expectNoTransportText(ms: number, ...users: User[]): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    for (const u of users) expect([...(await pageWords(u)).matchAll(TRANSPORT_TEXT)].map((m) => m[0]), `${u.name}'s page shows transport error text`).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The enabled state of each contact's Call and Video call buttons on the page. */
function callButtonsDisabled(u: User): Promise<boolean[]> {
  return contactCallButtons(u.page).evaluateAll((bs) => (bs as HTMLButtonElement[]).map((b) => b.disabled || b.getAttribute('aria-disabled') === 'true'));
}

describe('the face in use', () => {
  it('Escape on the incoming card declines, even with the Answer button focused', async ({ team: { alice, bob } }) => {
    await dial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    const answer = bob.page.getByRole('button', { name: 'Answer', exact: true });
    await answer.focus();
    expect(await answer.evaluate((b) => b === document.activeElement)).toBe(true);
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => callState(alice.page), { ...poll, timeout: 5000, message: "the caller's call ends after Escape on the Answer button" }).toBe('ended');
    expect(await endedText(alice.page)).toBe('Bob declined');
    await closeEnded(alice, bob);
  });

  it('the call controls are one toolbar; Mute is a toggle that keeps its name, and a badge says you are muted', async ({ team: { alice, bob } }) => {
    await establishCall(alice, bob, 'Bob');
    // In a call the list's Call buttons say so (once the page is idle: Main.svelte), and not once it is over.
    await expect.poll(async () => (await callButtonsDisabled(alice)).every(Boolean), { ...poll, message: "alice's Call buttons say she is in a call" }).toBe(true);
    const toolbar = alice.page.getByRole('toolbar', { name: 'Call controls' });
    await expect.poll(() => toolbar.count(), { ...poll, timeout: 5000, message: 'one toolbar "Call controls"' }).toBe(1);
    const mute = toolbar.getByRole('button', { name: 'Mute', exact: true });
    expect(await mute.getAttribute('aria-pressed'), 'Mute, not pressed').toBe('false');
    for (const name of ['Hang up', 'Turn camera on', 'Share screen', 'Add person']) expect(await toolbar.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    const badge = alice.page.getByLabel('You are muted', { exact: true }).or(alice.page.getByText('You are muted', { exact: true }));
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed'), { ...poll, message: 'Mute keeps its name, pressed' }).toBe('true');
    await expect.poll(() => badge.count(), { ...poll, message: 'a badge "You are muted"' }).toBeGreaterThan(0);
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed'), poll).toBe('false');
    await expect.poll(() => badge.count(), poll).toBe(0);
    await toolbar.getByRole('button', { name: 'Hang up', exact: true }).click();
    expect(await endedText(bob.page)).toBe('Alice hung up');
    await expect.poll(async () => (await callButtonsDisabled(alice)).some(Boolean), { ...poll, message: "alice's Call buttons are back after the call" }).toBe(false);
    await closeEnded(alice, bob);
  });

  it('narrow, a section opened over a call keeps its sound, and Return brings the call back', async ({ team: { alice, bob } }) => {
    const size = alice.page.viewportSize();
    await alice.page.setViewportSize({ width: 420, height: 760 });
    try {
      await establishCall(alice, bob, 'Bob');
      const playing = () => alice.page.evaluate(() => [...document.querySelectorAll('audio')].filter((a) => a.srcObject !== null && !a.paused).length);
      expect(await playing(), "Bob's audio plays").toBe(1);
      await alice.page.getByRole('button', { name: 'Contacts', exact: true }).click();
      const back = alice.page.getByRole('button', { name: 'Return to the call with Bob' });
      await back.waitFor();
      // The stage stays drawn, hidden, under the section (Main.svelte): its audio goes on.
      expect(await playing(), "Bob's audio plays under the contacts").toBe(1);
      await back.click();
      await alice.page.getByRole('button', { name: 'Hang up', exact: true }).click();
      expect(await endedText(bob.page)).toBe('Alice hung up');
      await closeEnded(alice, bob);
    } finally {
      if (size) await alice.page.setViewportSize(size);
    }
  });

  it('carol registers while alice and bob are signed in: both list her within 2 s, see her presence, and can call her', async ({ team: { alice, bob }, world }) => {
    await openContacts(alice);
    await openContacts(bob);
    await registerUser(world, 'carol');
    const deadline = Date.now() + 2000; // the bound, from the registration response
    const row = (u: User) => u.page.locator('li[data-username="carol"]');
    await Promise.all(
      [alice, bob].map((u) =>
        expect
          .poll(async () => ((await row(u).count()) > 0 ? await row(u).first().textContent() : 'no row for carol'), {
            timeout: Math.max(100, deadline - Date.now()),
            interval: 100,
            message: `${u.name} lists Carol within 2 s of her registration`,
          })
          .toContain('Carol'),
      ),
    );
    for (const u of [alice, bob]) await expect.poll(() => row(u).locator('.status').textContent(), { ...poll, message: `${u.name} sees Carol offline` }).toBe('Offline');
    carol = await user(world, 'carol');
    for (const u of [alice, bob]) await expect.poll(() => row(u).locator('.status').textContent(), { ...poll, message: `${u.name} sees Carol available` }).toBe('Available');
    await row(alice).getByRole('button', { name: 'Call Carol', exact: true }).click();
    await waitState(carol.page, 'incoming');
    await expect.poll(() => callPanel(carol!.page).textContent(), poll).toContain('Alice');
    await carol.page.getByRole('button', { name: 'Decline', exact: true }).click();
    expect(await endedText(alice.page)).toBe('Carol declined');
    await closeEnded(alice, carol);
  });

  it('the server stops: one banner in words, Call buttons disabled, no transport text; it starts: all clear without a reload', async ({ team: { alice, bob }, world }) => {
    const both = [alice, bob];
    for (const u of both) {
      await openContacts(u);
      await u.page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
      expect(await callButtonsDisabled(u)).not.toContain(true);
    }
    await world.stopServer();
    try {
      for (const u of both) {
        const banner = u.page.locator('[data-testid="connection-banner"]');
        await expect.poll(() => banner.count(), { ...poll, message: `${u.name} shows the connection banner` }).toBe(1);
        await expect.poll(() => banner.textContent(), { ...poll, message: `${u.name}'s banner says it in words` }).toMatch(/^\s*Can't reach the server/);
        expect(await banner.getByRole('button', { name: 'Retry now', exact: true }).count(), `${u.name}'s banner has Retry now`).toBe(1);
        await expect.poll(async () => (await callButtonsDisabled(u)).every(Boolean), { ...poll, message: `${u.name}'s Call buttons are disabled offline` }).toBe(true);
        expect((await callButtonsDisabled(u)).length).toBeGreaterThan(0);
      }
      // Socket.IO retries meanwhile (its errors come with every attempt), and once on demand.
      await expectNoTransportText(6000, ...both);
      await alice.page.getByRole('button', { name: 'Retry now', exact: true }).click();
      await expectNoTransportText(3000, ...both);
      expect(await alice.page.locator('[data-testid="connection-banner"]').count(), 'one banner after Retry now').toBe(1);
    } finally {
      await world.startServer();
    }
    for (const u of both) {
      await expect.poll(() => u.page.locator('[data-testid="connection-banner"]').count(), { ...poll, timeout: 30_000, message: `${u.name}'s banner goes once the server is back` }).toBe(0);
      await expect.poll(async () => (await callButtonsDisabled(u)).some(Boolean), { ...poll, message: `${u.name}'s Call buttons are enabled again` }).toBe(false);
      expect(await u.page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded), `${u.name}'s page was not reloaded`).toBe(true);
    }
    await expectNoTransportText(1000, ...both);
  });
});
