/**
 * The fast call setup's edges: each side opens its microphone and prepares
 * its connection while the call rings (the caller a moment after the server has rung the callee),
 * so the answer does not wait for them. Here the microphones are slow to
 * open, or may not be used at all. A call ringing on one device connects
 * while it rings, with no media either way until the answer (ahead.ts); the
 * callee's answered word starts the caller's microphone (answer-word.ts).
 * The click that starts it all is lost-click.e2e.test.ts's.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, liveTracks, microphones, type User } from './harness.js';
import { callState, dial, endedText, expectAudioFlowing, poll, waitState } from './steps.js';

/**
 * The caller's page. getUserMedia takes 1.5 s (`__micAsked` counts the asks): the call is answered before the
 * caller's microphone is open. And two levers for the callee's answered word (answer-word.ts): the page can stop
 * hearing `call:accepted` from the server (`__deafToAccepted`: its WebSocket drops that frame before Socket.IO reads
 * it), and it keeps its chat channels (`__chats`) to speak on them itself.
 */
function callerPage(): void {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  const w = window as unknown as { __deafToAccepted?: boolean; __chats: RTCDataChannel[]; __micAsked: number };
  w.__micAsked = 0;
  navigator.mediaDevices.getUserMedia = async (c) => {
    w.__micAsked += 1;
    return new Promise((r) => setTimeout(r, 1500)).then(() => open(c));
  };
  w.__chats = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each connection below
  const createDataChannel = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, label: string, init?: RTCDataChannelInit) {
    const channel = createDataChannel.call(this, label, init);
    if (label === 'chat') w.__chats.push(channel);
    return channel;
  };
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before Socket.IO's own handler, so it can keep the frame from it.
      this.addEventListener('message', (event: MessageEvent) => {
        if (w.__deafToAccepted && typeof event.data === 'string' && event.data.startsWith('42["call:accepted"')) event.stopImmediatePropagation();
      });
    }
  };
}

/** getUserMedia takes 0.3 s: Answer is clicked before the microphone opened for the ring is. */
function slowCalleeMicrophone(): void {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => new Promise((r) => setTimeout(r, 300)).then(() => open(c));
}

/** The user refused Parley the microphone. */
function deniedMicrophone(): void {
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = async (d) => (d.name === 'microphone' ? ({ state: 'denied' } as PermissionStatus) : query(d));
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
}

/** The state of each peer connection the page made, oldest first. */
function paths(page: Page): Promise<RTCPeerConnectionState[]> {
  return page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => pc.connectionState));
}

/** RTP packets the page's open peer connections have sent, audio and video (a call's video is off here). */
function packetsSent(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let sent = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; packetsSent?: number }>) if (s.type === 'outbound-rtp') sent += s.packetsSent ?? 0;
    }
    return sent;
  });
}

/** Packets the page sent in the next `ms`. */
async function packetsSentIn(page: Page, ms: number): Promise<number> {
  const before = await packetsSent(page);
  await new Promise((r) => setTimeout(r, ms));
  return (await packetsSent(page)) - before;
}

/** The caller page's newest chat channel is open (the call's SCTP association is up). */
async function chatOpen(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __chats: RTCDataChannel[] }).__chats.at(-1)?.readyState === 'open', undefined, { timeout: poll.timeout });
}

/** The newest peer connection of each page is up: the call is connected while it rings. */
async function connectedWhileRinging(...users: User[]): Promise<void> {
  for (const u of users) await expect.poll(async () => (await paths(u.page)).at(-1), poll).toBe('connected');
  await waitState(users[1]!.page, 'incoming');
}

/** No peer connection and no microphone left open on either page. */
async function expectAllClosed(...users: User[]): Promise<void> {
  for (const u of users) {
    await expect.poll(async () => (await paths(u.page)).filter((s) => s !== 'closed'), poll).toEqual([]);
    await expect.poll(async () => (await microphones(u.page)).live, poll).toBe(0);
  }
}

/** The callee answers: both pages show the call, audio flows both ways (`whileLive` runs then), and the caller hangs up. */
async function answerTalkAndHangUp(caller: User, callee: User, whileLive?: () => Promise<void>): Promise<void> {
  await callee.page.getByRole('button', { name: 'Answer', exact: true }).click();
  await waitState(caller.page, 'active');
  await waitState(callee.page, 'active');
  await expectAudioFlowing(callee.page);
  await expectAudioFlowing(caller.page);
  await whileLive?.();
  await caller.page.getByRole('button', { name: 'Hang up' }).click();
}

const it = e2eTest({
  team: ['dave', 'erin', 'frank'],
  open: { dave: { init: callerPage }, erin: { init: slowCalleeMicrophone }, frank: { init: deniedMicrophone } },
});

describe('call setup with slow and refused microphones', () => {
  it('answered at once, before either microphone is open: the call connects, audio flows both ways, and hanging up closes both', async ({ team: { dave, erin } }) => {
    await dial(dave, 'Erin');
    await waitState(erin.page, 'incoming');
    await answerTalkAndHangUp(dave, erin);
    expect(await endedText(erin.page)).toBe('Dave hung up');
    for (const u of [dave, erin]) await expect.poll(() => liveTracks(u.page), poll).toBe(0);
    await closeEnded(dave, erin);
  });

  it('declined before either microphone is open: both open later and are closed at once', async ({ team: { dave, erin } }) => {
    const before = await Promise.all([microphones(dave.page), microphones(erin.page)]);
    const asked = await dave.page.evaluate(() => (window as unknown as { __micAsked: number }).__micAsked);
    await dial(dave, 'Erin');
    await waitState(erin.page, 'incoming');
    // The caller asks for its microphone a moment into the ring (a call ended before then never opens it).
    await dave.page.waitForFunction((n) => (window as unknown as { __micAsked: number }).__micAsked > n, asked);
    await erin.page.getByRole('button', { name: 'Decline' }).click();
    expect(await endedText(dave.page)).toBe('Erin declined');
    for (const [i, u] of [dave, erin].entries()) {
      await expect.poll(async () => (await microphones(u.page)).opened, poll).toBeGreaterThan(before[i]!.opened);
      await expect.poll(async () => (await microphones(u.page)).live, poll).toBe(0);
    }
    await closeEnded(dave, erin);
  });

  it('a microphone Parley may not use fails the call before it rings anyone', async ({ team: { erin, frank } }) => {
    await dial(frank, 'Erin');
    expect(await endedText(frank.page)).toBe('Call ended');
    await expect.poll(() => frank.page.getByRole('alert').textContent(), poll).toContain('Parley cannot use the microphone');
    expect(await callPanel(erin.page).count()).toBe(0);
    await closeEnded(frank);
  });
});

describe('connecting while it rings', () => {
  it('the path and the live view are ready before Answer, with no packet sent either way; Answer starts audio both ways and shows that view', async ({ team: { dave, erin } }) => {
    await dial(dave, 'Erin');
    await connectedWhileRinging(dave, erin);
    // Up, and still nothing sent: a moment more of ringing, and no packet either way.
    await new Promise((r) => setTimeout(r, 500));
    expect(await packetsSent(dave.page)).toBe(0);
    expect(await packetsSent(erin.page)).toBe(0);
    // The live view is drawn too, hidden and inert under the ringing card: Answer only shows it.
    for (const u of [dave, erin]) {
      const view = u.page.locator('section.call .live-view');
      await expect.poll(() => view.evaluate((el: HTMLElement) => el.inert && getComputedStyle(el).visibility), poll).toBe('hidden');
      await view.evaluate((el: HTMLElement) => (el.dataset.drawnAhead = 'yes'));
    }
    await answerTalkAndHangUp(dave, erin, async () => {
      for (const u of [dave, erin]) {
        const view = u.page.locator('section.call .live-view');
        expect(await view.evaluate((el: HTMLElement) => [el.dataset.drawnAhead, el.inert, getComputedStyle(el).visibility])).toEqual(['yes', false, 'visible']);
      }
    });
    await expectAllClosed(dave, erin);
    await closeEnded(dave, erin);
  });

  it('declined, or cancelled, once connected while ringing: no peer connection or microphone stays open on either side', async ({ team: { dave, erin } }) => {
    await dial(dave, 'Erin');
    await connectedWhileRinging(dave, erin);
    await erin.page.getByRole('button', { name: 'Decline' }).click();
    expect(await endedText(dave.page)).toBe('Erin declined');
    await expectAllClosed(dave, erin);
    await closeEnded(dave, erin);

    await dial(dave, 'Erin');
    await connectedWhileRinging(dave, erin);
    await dave.page.getByRole('button', { name: 'Cancel call to Erin', exact: true }).click();
    await waitState(erin.page, 'ended');
    await expectAllClosed(dave, erin);
    await closeEnded(dave, erin);
  });

  it('the callee’s answered word starts the caller’s microphone before the server’s word; without the server’s, it stops within 2 s', async ({ team: { dave, erin } }) => {
    await dave.page.evaluate(() => ((window as unknown as { __deafToAccepted: boolean }).__deafToAccepted = true));
    try {
      await dial(dave, 'Erin');
      await connectedWhileRinging(dave, erin);
      await chatOpen(dave.page);
      await erin.page.getByRole('button', { name: 'Answer', exact: true }).click();
      // Erin hears Dave, whose app never heard call:accepted: his call still shows as ringing.
      await expectAudioFlowing(erin.page);
      expect(await callState(dave.page)).toBe('outgoing');
      // The server never confirmed the answer to him: his microphone stops sending again.
      await expect.poll(() => packetsSentIn(dave.page, 400), { timeout: 5000 }).toBe(0);
      await dave.page.getByRole('button', { name: 'Cancel call to Erin', exact: true }).click();
      await waitState(erin.page, 'ended');
      await expectAllClosed(dave, erin);
      await closeEnded(dave, erin);
    } finally {
      await dave.page.evaluate(() => ((window as unknown as { __deafToAccepted: boolean }).__deafToAccepted = false));
    }
  });

  it('a caller’s answered word never starts a callee’s microphone: only its user’s Answer does', async ({ team: { dave, erin } }) => {
    await dial(dave, 'Erin');
    await connectedWhileRinging(dave, erin);
    await chatOpen(dave.page);
    await dave.page.evaluate(() => (window as unknown as { __chats: RTCDataChannel[] }).__chats.at(-1)!.send(JSON.stringify({ v: 2, type: 'answered' })));
    await new Promise((r) => setTimeout(r, 500));
    expect(await packetsSent(erin.page)).toBe(0);
    expect(await callState(erin.page)).toBe('incoming');
    await dave.page.getByRole('button', { name: 'Cancel call to Erin', exact: true }).click();
    await waitState(erin.page, 'ended');
    await expectAllClosed(dave, erin);
    await closeEnded(dave, erin);
  });

  it('with "Connect before I answer" off, nothing connects until Answer, which still brings audio both ways', async ({ team: { dave, erin } }) => {
    await erin.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await erin.page.getByLabel('Connect before I answer').uncheck();
    try {
      await dial(dave, 'Erin');
      await waitState(erin.page, 'incoming');
      // Erin's connection is made (held) once her microphone is open; it neither answers nor gathers toward Dave.
      await expect.poll(async () => (await paths(erin.page)).at(-1), poll).toBe('new');
      await expect.poll(async () => (await paths(dave.page)).at(-1), poll).toBe('new');
      await new Promise((r) => setTimeout(r, 500));
      expect((await paths(erin.page)).at(-1)).toBe('new');
      await answerTalkAndHangUp(dave, erin);
      await expectAllClosed(dave, erin);
      await closeEnded(dave, erin);
    } finally {
      await erin.page.getByRole('button', { name: 'Settings', exact: true }).click();
      await erin.page.getByLabel('Connect before I answer').check();
    }
  });
});
