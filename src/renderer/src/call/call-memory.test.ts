import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetCall, rememberedCall } from './call-memory.svelte.js';
import { MemoryStorage } from '../test-support/memory-storage.js';

const KEY = 'parley.call.v1';
const call = { callId: 'c1', peer: { username: 'bob', displayName: 'Bob' }, room: null, outgoing: true, answeredAt: 1000 };

describe('the call kept for a reload', () => {
  beforeEach(() => {
    (globalThis as { sessionStorage?: unknown }).sessionStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
  });

  it('reads back what was kept, and nothing once forgotten', () => {
    sessionStorage.setItem(KEY, JSON.stringify(call));
    expect(rememberedCall()).toEqual(call);
    sessionStorage.setItem(KEY, JSON.stringify({ ...call, room: 'standup' }));
    expect(rememberedCall()?.room).toBe('standup');
    forgetCall();
    expect(rememberedCall()).toBeNull();
  });

  it('forgets anything that is not a sound call, without throwing', () => {
    for (const bad of ['{', 'null', '42', '"c1"', JSON.stringify({ ...call, callId: 7 }), JSON.stringify({ ...call, peer: { username: 'bob' } }),
      JSON.stringify({ ...call, answeredAt: 'soon' }), JSON.stringify({ ...call, room: 5 }), JSON.stringify({ ...call, outgoing: 'yes' })]) {
      sessionStorage.setItem(KEY, bad);
      expect(rememberedCall(), bad).toBeNull();
    }
  });

  it('without sessionStorage (storage disabled) there is nothing to rejoin', () => {
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    expect(rememberedCall()).toBeNull();
    expect(() => forgetCall()).not.toThrow();
  });
});
