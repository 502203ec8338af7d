/**
 * Group calls in real Chromium: a full mesh of peer connections, one per
 * pair. Each person must receive every other person's audio (inbound bytes
 * growing and a level clearly above silence on each of their connections,
 * and the speaking indicator lit for each name); the mesh limit refuses the
 * next joiner; one leaving leaves the others' connections alone; rejoining
 * works; Add person turns a 1:1 call into a group without touching the
 * first pair's connection; history lists the participants. Rooms can be
 * found: everyone's list shows who is in each, follows it live, and joins in
 * one click.
 */
import path from 'node:path';
import { describe, expect } from 'vitest';
import { ARTIFACTS, callPanel, closeEnded, e2eTest, type User } from './harness.js';
import { expectHearsEveryone, joinRoom, leave, meshAudio } from './rooms.js';
import { axeScan, checkLayout, checkScreen, eachLook, shoot } from './ui-checks.js';
import { answerCall, eachOf, establishCall, poll, waitState } from './steps.js';

const it = e2eTest({ world: { meshLimit: 4 }, team: ['alice', 'bob', 'carol', 'dave', 'erin'] });
const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);

describe('group calls (mesh)', () => {
  it('three, then four people in a room each receive every other person\'s audio; the fifth is refused at the mesh limit', async ({ team: { alice, bob, carol, dave, erin } }) => {
    await joinRoom(alice, 'standup');
    await waitState(alice.page, 'active');
    await expect.poll(() => callPanel(alice.page).textContent(), poll).toContain('Nobody else is in room standup yet');
    await joinRoom(bob, 'standup');
    await joinRoom(carol, 'standup');
    for (const [u, others] of [
      [alice, ['Bob', 'Carol']],
      [bob, ['Alice', 'Carol']],
      [carol, ['Alice', 'Bob']],
    ] as const) {
      await expectHearsEveryone(u, [...others]);
    }

    await joinRoom(dave, 'standup');
    const four = [alice, bob, carol, dave];
    await eachOf(four, (u) => expectHearsEveryone(u, four.filter((o) => o !== u).map((o) => title(o.name))));
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'group-call-4-people.png') });

    // The mesh limit (4 here) refuses erin with the server's words; nobody's call changes.
    await joinRoom(erin, 'standup');
    await expect.poll(() => erin.page.getByRole('alert').textContent(), poll).toContain('Room "standup" is full: 4 people are in it');
    expect(await callPanel(erin.page).count()).toBe(0);
    await erin.page.getByRole('button', { name: 'Dismiss message' }).click();
    for (const u of four) expect((await meshAudio(u.page)).filter((a) => a.state === 'connected')).toHaveLength(3);
  });

  it('one leaving leaves the others connected, hearing each other; they rejoin from the recent rooms', async ({ team: { alice, bob, carol, dave } }) => {
    const pcsBefore = await alice.page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length);
    await leave(carol);
    await closeEnded(carol);
    for (const u of [alice, bob, dave]) {
      await callPanel(u.page).locator('.participant', { hasText: 'Carol' }).waitFor({ state: 'detached' });
      await expectHearsEveryone(u, [alice, bob, dave].filter((o) => o !== u).map((o) => title(o.name)));
    }
    // Nobody else's connections were made again.
    expect(await alice.page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length)).toBe(pcsBefore);

    await carol.page.getByRole('button', { name: 'Join room standup' }).click();
    const four = [alice, bob, carol, dave];
    await eachOf(four, (u) => expectHearsEveryone(u, four.filter((o) => o !== u).map((o) => title(o.name))));

    // The last one out ends the room.
    for (const u of [dave, carol, bob, alice]) await leave(u);
    await closeEnded(...four);
  });

  it('Add person turns a 1:1 call into a group without touching the first pair\'s connection; history lists everyone', async ({ team: { alice, bob, carol } }) => {
    const created = async (u: User) => u.page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length);
    await establishCall(alice, bob, 'Bob');
    const bobPcs = await created(bob);

    await alice.page.getByRole('button', { name: 'Add person' }).click();
    await alice.page.getByRole('button', { name: 'Add Carol to the call' }).click();
    await expect.poll(() => callPanel(bob.page).locator('.participant', { hasText: 'Carol' }).getAttribute('data-state'), poll).toBe('ringing');
    await answerCall(carol);
    await waitState(carol.page, 'active');
    await expectHearsEveryone(alice, ['Bob', 'Carol']);
    await expectHearsEveryone(bob, ['Alice', 'Carol']);
    await expectHearsEveryone(carol, ['Alice', 'Bob']);
    // Bob's connection to alice is the one made for the 1:1 call, still up: one more for carol, no other.
    expect(await created(bob)).toBe(bobPcs + 1);
    expect((await meshAudio(bob.page))[0]?.state).toBe('connected');

    // The one who placed the call leaves: the other two go on.
    await leave(alice);
    await expectHearsEveryone(bob, ['Carol']);
    await expectHearsEveryone(carol, ['Bob']);
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(carol.page, 'ended');
    await closeEnded(alice, bob, carol);

    await carol.page.getByRole('button', { name: /^History/ }).click();
    const entry = carol.page.locator('li', { hasText: 'Group call with' }).first();
    await expect.poll(() => entry.textContent(), poll).toMatch(/Alice, Bob/);
    await alice.page.getByRole('button', { name: /^History/ }).click();
    await expect.poll(() => alice.page.locator('li', { hasText: 'Room standup' }).first().textContent(), poll).toMatch(/Bob.*Carol.*Dave|Bob, Carol, Dave/);
  });

  it('an Add person still ringing can be taken back: the invited person stops ringing and the call goes on', async ({ team: { alice, bob, carol } }) => {
    await establishCall(alice, bob, 'Bob');
    await alice.page.getByRole('button', { name: 'Add person' }).click();
    await alice.page.getByRole('button', { name: 'Add Carol to the call' }).click();
    await waitState(carol.page, 'incoming');
    await expect.poll(() => callPanel(bob.page).locator('.participant', { hasText: 'Carol' }).getAttribute('data-state'), poll).toBe('ringing');
    // The ringing tile and its Cancel, in every look (layout, axe, screenshots).
    await checkScreen('add-person-ringing', alice.page);
    await alice.page.getByRole('button', { name: 'Cancel calling Carol' }).click();
    // Carol's ringing stops; nobody in the call shows her any more; the pair still hear each other.
    const carolState = async () => ((await callPanel(carol.page).count()) === 0 ? 'gone' : callPanel(carol.page).getAttribute('data-state'));
    await expect.poll(carolState, poll).not.toBe('incoming');
    for (const u of [alice, bob]) await expect.poll(() => callPanel(u.page).locator('.participant', { hasText: 'Carol' }).count(), poll).toBe(0);
    await expectHearsEveryone(alice, ['Bob']);
    await expectHearsEveryone(bob, ['Alice']);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob, carol);
  });

  it('bob finds the room alice sits in, with her in it, and joins in one click; the join form closes; carol\'s history reads it as the room she joined', async ({ team: { alice, bob, carol, dave } }) => {
    const listed = (u: User, room: string) => u.page.getByRole('list', { name: 'Rooms on this server' }).locator(`li[data-room="${room}"]`);
    for (const u of [bob, carol]) await u.page.getByRole('button', { name: 'Contacts' }).click();
    await joinRoom(alice, 'standup');
    await waitState(alice.page, 'active');
    // In the room: the form that took her there has closed.
    await expect.poll(() => alice.page.getByLabel('Room name').count(), poll).toBe(0);
    await expect.poll(() => listed(bob, 'standup').locator('.names').textContent(), poll).toContain('Alice');

    // A room with a code is listed too (its name and who is in it are not secret); Join asks for the code.
    await joinRoom(dave, 'design', 'design-1234');
    await waitState(dave.page, 'active');
    await expect.poll(() => listed(bob, 'design').textContent(), poll).toContain('needs a join code');
    const askCode = async () => {
      await bob.page.getByRole('button', { name: 'Join room design' }).click();
      await bob.page.getByLabel('Join code of room design').waitFor();
    };
    await askCode();
    await eachLook(bob.page, async (label) => {
      // One column or two are two layouts: the sidebar's rooms are drawn anew, the code field closed.
      if (!(await bob.page.getByLabel('Join code of room design').isVisible())) await askCode();
      await bob.page.getByRole('region', { name: 'Rooms' }).scrollIntoViewIfNeeded();
      await shoot(bob.page, `rooms-${label}`);
      await checkLayout(bob.page);
      await axeScan(bob.page, `rooms ${label}`);
    });
    if (!(await bob.page.getByLabel('Join code of room design').isVisible())) await askCode();
    await bob.page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => bob.page.getByLabel('Join code of room design').count(), poll).toBe(0);
    await leave(dave);
    await closeEnded(dave);

    await bob.page.getByRole('button', { name: 'Join room standup' }).click();
    await waitState(bob.page, 'active');
    await expect.poll(() => listed(carol, 'standup').locator('.names').textContent(), poll).toContain('Alice, Bob');
    await carol.page.getByRole('button', { name: 'Join room standup' }).click();
    await waitState(carol.page, 'active');
    await expect.poll(() => listed(alice, 'standup').locator('.names').textContent(), poll).toContain('Alice, Bob, Carol');
    for (const u of [carol, bob, alice]) await leave(u);
    await closeEnded(alice, bob, carol);
    // Closed: gone from every list (it stays among each one's recent rooms).
    for (const u of [alice, bob, carol]) await expect.poll(() => listed(u, 'standup').count(), poll).toBe(0);

    await carol.page.getByRole('button', { name: /^History/ }).click();
    const row = carol.page.locator('section[aria-labelledby="history-title"] li').first();
    await expect.poll(() => row.locator('.name').textContent(), poll).toBe('Room standup');
    // The list loaded when carol left still says the room goes on, until the one History loads on opening arrives.
    await expect.poll(() => row.locator('.outcome').textContent(), poll).toBe('Joined');
    expect(await row.textContent()).not.toMatch(/Incoming|Outgoing/);
  });
});
