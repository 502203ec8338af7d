/**
 * The app with a peer that is not the app (foreign-peer.ts): one that offers
 * video it never sends, one that offers audio only, one that never
 * acknowledges chat. What PROTOCOL.md promises must hold for each.
 */
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, type User, type World } from './harness.js';
import { ForeignPeer } from './foreign-peer.js';
import { chatLines, expectNoTile, expectTile, openChat, sendChat, tile } from './media.js';
import { checkScreen } from './ui-checks.js';
import { answerCall, poll, waitState } from './steps.js';

let carol: ForeignPeer | undefined;

const it = e2eTest({
  team: ['alice'],
  alsoRegistered: ['carol'],
  afterEach: async ({ team: { alice } }) => {
    await carol?.hangUp().catch(() => undefined);
    await carol?.close();
    carol = undefined;
    await waitState(alice.page, 'ended').catch(() => undefined);
    await closeEnded(alice);
  },
});

async function callFrom(world: World, alice: User, layout: { video: number; ack: boolean }): Promise<ForeignPeer> {
  const peer = await ForeignPeer.open(world, 'carol', layout);
  const invited = peer.invite('alice');
  await answerCall(alice);
  await invited;
  await waitState(alice.page, 'active');
  return peer;
}

describe('a peer that is not the app', () => {
  it('1. offers sendrecv video but sends no frames: no tile; frames start: the tile appears', async ({ team: { alice }, world }) => {
    carol = await callFrom(world, alice, { video: 2, ack: true });
    await new Promise((r) => setTimeout(r, 5000));
    expect(await tile(alice.page, 'Carol', 'camera').count()).toBe(0);
    expect(await tile(alice.page, 'Carol', 'screen').count()).toBe(0);
    await carol.sendVideo();
    await expectTile([alice], 'Carol', 'camera');
    await expectNoTile([alice], 'Carol', 'screen');
  });

  it('2. offers audio only: turning the camera on adds a video slot, renegotiates, and the peer gets frames', async ({ team: { alice }, world }) => {
    carol = await callFrom(world, alice, { video: 0, ack: true });
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expect.poll(() => carol!.framesReceived(), poll).toBeGreaterThan(10);
  });

  it('3. chat: acknowledged messages are delivered; a peer that never acknowledges leaves them "Not delivered"; old-shape messages still show', async ({ team: { alice }, world }) => {
    carol = await callFrom(world, alice, { video: 0, ack: false });
    await sendChat(alice, 'are you there?');
    // First the answered word (the call connected while it rang: PROTOCOL.md), then the message.
    await expect.poll(async () => (await carol!.chatReceived()).map((m) => [m.v, m.type, m.text]), poll).toEqual([
      [2, 'answered', undefined],
      [2, 'chat', 'are you there?'],
    ]);
    const status = alice.page.locator('section.chat li.mine .delivery');
    await expect.poll(() => status.textContent(), { timeout: 20_000, interval: 250 }).toBe('Not delivered');
    await carol.sendOldChat('hello from an older client');
    await expect.poll(() => chatLines(alice.page), poll).toEqual([
      ['You', 'are you there?'],
      ['Carol', 'hello from an older client'],
    ]);
    await openChat(alice);
    await checkScreen('chat-not-delivered', alice.page);
  });

  it('4. chat with a peer that acknowledges: the message shows as delivered', async ({ team: { alice }, world }) => {
    carol = await callFrom(world, alice, { video: 0, ack: true });
    await sendChat(alice, 'ping');
    await expect.poll(() => alice.page.locator('section.chat li.mine .delivery').getAttribute('data-state'), poll).toBe('delivered');
  });
});
