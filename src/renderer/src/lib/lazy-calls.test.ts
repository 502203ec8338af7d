import { describe, expect, it } from 'vitest';
import { makeCallParts } from '../call/call-parts.svelte.js';
import { PushToTalk } from '../call/push-to-talk.svelte.js';
import { CallHistory } from '../directory/history.svelte.js';
import { RecentRooms } from '../directory/rooms.svelte.js';
import { DEFAULT_SETTINGS } from '../settings/settings.js';
import { FakeLink, ME, carolCalls, settle, setup, user } from '../test-support/call-fakes.js';
import { LazyCalls, type LoadCallParts } from './lazy-calls.svelte.js';

/** LazyCalls over a fake link, whose code arrives when the test says (`arrive()`). */
function lazy() {
  const link = new FakeLink();
  // A call that ends reloads the history.
  link.replies.set('history:list', () => ({ ok: true, calls: [] }));
  const { platform, tones, notices } = setup();
  let arrive = (): void => undefined;
  let loads = 0;
  const code: LoadCallParts = () => {
    loads += 1;
    return new Promise((resolve) => (arrive = () => resolve({ makeCallParts })));
  };
  const history = new CallHistory(link);
  const pushToTalk = new PushToTalk({ settings: () => DEFAULT_SETTINGS, live: () => false, gate: () => undefined });
  const calls = new LazyCalls(
    link,
    (held) => ({
      link: held,
      platform,
      tones,
      notices,
      me: () => ME,
      lookup: user,
      settings: () => DEFAULT_SETTINGS,
      rooms: new RecentRooms(),
      history,
      pushToTalk,
      ready: null,
      ringing: () => undefined,
    }),
    code,
  );
  return { link, calls, arrive: () => arrive(), loads: () => loads };
}

describe('LazyCalls: the calls before their code has loaded', () => {
  it('is an idle call: no phase, not busy, no title', () => {
    const { calls } = lazy();
    expect(calls.parts).toBeNull();
    expect(calls.phase).toEqual({ kind: 'idle' });
    expect(calls.busy).toBe(false);
    expect(calls.talking).toBe(false);
    expect(calls.title).toBe('');
    expect(calls.room).toBeNull();
  });

  it('a call that rings while the code loads asks for it, and rings once it is there', async () => {
    const { link, calls, arrive, loads } = lazy();
    link.emit('call:incoming', carolCalls);
    expect(loads()).toBe(1);
    expect(calls.phase.kind).toBe('idle');
    arrive();
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'incoming', callId: 'c2' });
  });

  it('events kept meanwhile are delivered in order: a call that rang and was cancelled is not ringing', async () => {
    const { link, calls, arrive } = lazy();
    link.emit('call:incoming', carolCalls);
    link.emit('call:ended', { callId: 'c2', reason: 'cancelled' });
    arrive();
    await settle();
    expect(calls.phase.kind).not.toBe('incoming');
    expect(calls.busy).toBe(false);
  });

  it('a dial before the code is there is on screen at once (dialing), then placed when the code comes', async () => {
    const { link, calls, arrive, loads } = lazy();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const dialed = calls.dial('bob', true);
    expect(loads()).toBe(1);
    expect(calls.dialing).toEqual({ username: 'bob', video: true });
    // The Call buttons say a call is on; the phase is the controller's, idle until it is there.
    expect(calls.busy).toBe(true);
    expect(calls.outgoing).toBe(true);
    expect(calls.phase.kind).toBe('idle');
    expect(link.events()).not.toContain('call:invite');
    arrive();
    await settle();
    // The stage takes over: the call is outgoing as the shell's card goes.
    expect(calls.dialing).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'outgoing', peer: { username: 'bob' } });
    await dialed;
    expect(link.events().filter((e) => e === 'call:invite')).toHaveLength(1);
  });

  it('a second click while the code comes changes nothing: the first call stands, placed once', async () => {
    const { link, calls, arrive } = lazy();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const first = calls.dial('bob');
    const second = calls.dial('carol');
    expect(calls.dialing).toEqual({ username: 'bob', video: false });
    arrive();
    await Promise.all([first, second]);
    expect(link.events().filter((e) => e === 'call:invite')).toHaveLength(1);
    expect(calls.phase).toMatchObject({ kind: 'outgoing', peer: { username: 'bob' } });
  });

  it('a call cancelled before the code came is never placed', async () => {
    const { link, calls, arrive } = lazy();
    const dialed = calls.dial('bob');
    calls.cancelDialing();
    expect(calls.dialing).toBeNull();
    expect(calls.busy).toBe(false);
    arrive();
    await dialed;
    await settle();
    expect(link.events()).not.toContain('call:invite');
    expect(calls.phase.kind).toBe('idle');
  });

  it('a dial whose code cannot load fails (the shell says so) and leaves nothing on screen', async () => {
    const link = new FakeLink();
    const calls = new LazyCalls(link, () => {
      throw new Error('never made');
    }, () => Promise.reject(new Error('chunk gone')));
    expect(calls.loadFailed).toBe(false);
    await expect(calls.dial('bob')).rejects.toThrow('chunk gone');
    expect(calls.dialing).toBeNull();
    expect(calls.busy).toBe(false);
    expect(calls.loadFailed).toBe(true);
  });

  it('a load that works after a failed one clears the failure', async () => {
    let fail = true;
    const calls = new LazyCalls(new FakeLink(), () => ({}) as never, () =>
      fail ? Promise.reject(new Error('chunk gone')) : Promise.resolve({ makeCallParts: () => ({ dispose: () => undefined }) as never }),
    );
    await expect(calls.load()).rejects.toThrow('chunk gone');
    expect(calls.loadFailed).toBe(true);
    fail = false;
    await calls.load();
    expect(calls.loadFailed).toBe(false);
  });

  it('loads once, however many ask', async () => {
    const { calls, arrive, loads } = lazy();
    const first = calls.load();
    const second = calls.load();
    arrive();
    expect(await first).toBe(await second);
    expect(loads()).toBe(1);
  });
});
