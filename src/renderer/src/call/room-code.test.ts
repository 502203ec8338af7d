/**
 * A room's owner changes or removes its join code: what is sent, what the
 * owner is told in words, and that nobody else (and nothing after the call)
 * sends anything.
 */
import { describe, expect, it } from 'vitest';
import type { Ack, ClientEvent, ClientPayload, ClientReplies, RoomOwnership } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { Notices } from '../lib/notices.svelte.js';
import { RoomCode } from './room-code.svelte.js';
import { codeProblem, codeRefused } from './room-code-words.js';

const carol = { username: 'carol', displayName: 'Carol' };
const OWNER: RoomOwnership = { owner: { username: 'alice', displayName: 'Alice' }, canChangeCode: true, hasCode: true };

function setup(reply: (payload: ClientPayload<'room:code'>) => Ack = () => ({ ok: true })) {
  const sent: ClientPayload<'room:code'>[] = [];
  const link = {
    connected: true,
    request: <E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> => {
      expect(event).toBe('room:code');
      sent.push(payload as ClientPayload<'room:code'>);
      return Promise.resolve(reply(payload as ClientPayload<'room:code'>) as Ack<ClientReplies[E]>);
    },
    on: () => () => undefined,
  } satisfies SignalingLink;
  const notices = new Notices();
  const remembered: { name: string; code?: string }[] = [];
  let live = 'r1';
  const code = new RoomCode({ link, notices, isLive: (callId) => callId === live, remember: (room) => remembered.push(room) });
  return { code, sent, notices, remembered, end: () => (live = '') };
}

describe('a join code in words', () => {
  it('says what is wrong with a code typed, counting as the server does', () => {
    expect(codeProblem('')).toBe('Type the new join code first.');
    expect(codeProblem('short')).toBe('A join code needs at least 8 characters: this one has 5.');
    expect(codeProblem('x'.repeat(65))).toBe('A join code can have at most 64 characters: this one has 65.');
    expect(codeProblem('sesame-42')).toBeNull();
    expect(codeProblem('x'.repeat(64))).toBeNull();
  });

  it('says why the server refused, and what to do', () => {
    expect(codeRefused({ code: 'not_owner', message: 'Only carol can change the join code of room "standup"' }, 'standup', 'Carol', false)).toBe(
      'The join code was not changed: only Carol, who owns room standup, can change it.',
    );
    expect(codeRefused({ code: 'rate_limited', message: 'Too many messages: slow down', retryAfterMs: 11_200 }, 'standup', 'Carol', true)).toBe(
      'The join code was not removed: too many requests in a short time. Wait 12 seconds and try again.',
    );
    expect(codeRefused({ code: 'unavailable', message: 'Not connected to the server' }, 'standup', 'Carol', false)).toBe(
      'The join code was not changed: Parley is not connected to the server. Try again once it is back.',
    );
    expect(codeRefused({ code: 'not_found', message: 'The room has closed' }, 'standup', 'Carol', false)).toBe(
      'The join code was not changed: you are no longer in room standup.',
    );
    expect(codeRefused({ code: 'internal', message: 'Something went wrong' }, 'standup', 'Carol', false)).toBe(
      'The join code was not changed: Something went wrong.',
    );
  });
});

describe('the room owner changes the join code', () => {
  it('sends the code trimmed, then says so, remembers it for rejoining, and knows the room has a code', async () => {
    const { code, sent, notices, remembered } = setup();
    code.entered('r1', 'standup', { ...OWNER, hasCode: false });
    expect(await code.change('  weekly-5678 ')).toBe(true);
    expect(sent).toEqual([{ callId: 'r1', code: 'weekly-5678' }]);
    expect(code.current?.hasCode).toBe(true);
    expect(code.result).toEqual({ kind: 'done', text: 'Join code changed. From now on, joining room standup takes the new code.' });
    expect(notices.announcement).toBe(code.result?.text);
    expect(remembered).toEqual([{ name: 'standup', code: 'weekly-5678' }]);
    expect(code.saving).toBe(false);
  });

  it('removes the code once asked and confirmed: sent as null, the room remembered without one', async () => {
    const { code, sent, remembered } = setup();
    code.entered('r1', 'standup', OWNER);
    code.askRemoval();
    code.keepCode();
    expect(code.confirmingRemoval).toBe(false);
    code.askRemoval();
    expect(code.confirmingRemoval).toBe(true);
    expect(await code.remove()).toBe(true);
    expect(code.confirmingRemoval).toBe(false);
    expect(sent).toEqual([{ callId: 'r1', code: null }]);
    expect(code.current?.hasCode).toBe(false);
    expect(code.result?.text).toBe('Join code removed. Anyone who knows the name standup can now join.');
    expect(remembered).toEqual([{ name: 'standup' }]);
  });

  it('a code too short is refused here, in words, and nothing is sent', async () => {
    const { code, sent } = setup();
    code.entered('r1', 'standup', OWNER);
    expect(await code.change(' 1234   ')).toBe(false);
    expect(sent).toEqual([]);
    expect(code.result).toEqual({ kind: 'invalid', text: 'A join code needs at least 8 characters: this one has 4.' });
    code.clearResult();
    expect(code.result).toBeNull();
  });

  it('closing the panel forgets what it showed and any removal not yet confirmed', async () => {
    const { code } = setup();
    code.entered('r1', 'standup', OWNER);
    await code.change('weekly-5678');
    code.askRemoval();
    code.closed();
    expect(code.result).toBeNull();
    expect(code.confirmingRemoval).toBe(false);
  });

  it('a refusal is told in words, and the room keeps what it had', async () => {
    const { code } = setup(() => ({ ok: false, code: 'rate_limited', message: 'Too many messages: slow down', retryAfterMs: 900 }));
    code.entered('r1', 'standup', OWNER);
    expect(await code.change('weekly-5678')).toBe(false);
    expect(code.result).toEqual({ kind: 'refused', text: 'The join code was not changed: too many requests in a short time. Wait a second and try again.' });
    expect(code.current?.hasCode).toBe(true);
  });

  it('someone else in the room learns who owns it, and cannot send a change', async () => {
    const { code, sent } = setup();
    code.entered('r1', 'standup', { owner: carol, canChangeCode: false, hasCode: true });
    expect(code.current).toMatchObject({ room: 'standup', owner: carol, canChangeCode: false });
    expect(await code.change('weekly-5678')).toBe(false);
    expect(await code.remove()).toBe(false);
    expect(sent).toEqual([]);
  });

  it('knows nothing from a server that does not say, nor once the call is over', async () => {
    const { code, sent, end } = setup();
    code.entered('r1', 'standup', undefined);
    expect(code.current).toBeNull();
    code.entered('r1', 'standup', OWNER);
    end();
    expect(code.current).toBeNull();
    expect(await code.change('weekly-5678')).toBe(false);
    expect(sent).toEqual([]);
  });
});
