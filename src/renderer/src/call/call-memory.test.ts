import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetCall, keepCall, keepCallChat, rememberedCall } from './call-memory.svelte.js';
import { MemoryStorage } from '../test-support/memory-storage.js';
import { setup } from '../test-support/call-fakes.js';

const KEY = 'parley.call.v1';
const CHAT_KEY = 'parley.call-chat.v1';
const call = { callId: 'c1', peer: { username: 'bob', displayName: 'Bob' }, room: null, outgoing: true, answeredAt: 1000 };
const nothingOn = { muted: false, camera: false, screen: false, video: false };
const chat = { entries: [{ from: 'Bob', mine: false, text: 'hi', sentAt: 5 }], unread: 1, open: false };

/** A camera for CallMedia.setCamera, as getUserMedia gives one. */
function fakeCamera(): MediaStream {
  const track = { kind: 'video', addEventListener: () => undefined, stop: () => undefined };
  return { getVideoTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
}

/** A call of two answered and connected, as the controller tests place one. */
async function liveCall() {
  const t = setup();
  t.link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
  await t.calls.dial('bob');
  t.link.emit('call:accepted', { callId: 'c1', polite: false });
  t.sessions[0]!.request.onMediaState('connected');
  return t;
}

describe('the call kept for a reload', () => {
  beforeEach(() => {
    (globalThis as { sessionStorage?: unknown }).sessionStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    vi.unstubAllGlobals();
  });

  it('reads back what was kept, and nothing once forgotten', () => {
    const had = { muted: true, camera: true, screen: false, video: true };
    sessionStorage.setItem(KEY, JSON.stringify({ ...call, had }));
    sessionStorage.setItem(CHAT_KEY, JSON.stringify({ callId: 'c1', chat }));
    expect(rememberedCall()).toEqual({ ...call, had, chat });
    sessionStorage.setItem(KEY, JSON.stringify({ ...call, room: 'standup' }));
    expect(rememberedCall()?.room).toBe('standup');
    forgetCall();
    expect(rememberedCall()).toBeNull();
    expect(sessionStorage.getItem(CHAT_KEY)).toBeNull();
  });

  it('a call kept without what the person had on (an older Parley) comes back with nothing on', () => {
    sessionStorage.setItem(KEY, JSON.stringify(call));
    expect(rememberedCall()).toEqual({ ...call, had: nothingOn, chat: null });
  });

  it("another call's chat, or a chat that is not sound, is not brought back; the call still is", () => {
    sessionStorage.setItem(KEY, JSON.stringify(call));
    sessionStorage.setItem(CHAT_KEY, JSON.stringify({ callId: 'c0', chat }));
    expect(rememberedCall()?.chat).toBeNull();
    sessionStorage.setItem(CHAT_KEY, JSON.stringify({ callId: 'c1', chat: { ...chat, unread: 'many' } }));
    expect(rememberedCall()).toMatchObject({ callId: 'c1', chat: null });
  });

  it('forgets anything that is not a sound call, without throwing', () => {
    for (const bad of ['{', 'null', '42', '"c1"', JSON.stringify({ ...call, callId: 7 }), JSON.stringify({ ...call, peer: { username: 'bob' } }),
      JSON.stringify({ ...call, answeredAt: 'soon' }), JSON.stringify({ ...call, room: 5 }), JSON.stringify({ ...call, outgoing: 'yes' }),
      JSON.stringify({ ...call, had: { muted: 'yes' } })]) {
      sessionStorage.setItem(KEY, bad);
      expect(rememberedCall(), bad).toBeNull();
    }
  });

  it('without sessionStorage (storage disabled) there is nothing to rejoin', () => {
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    expect(rememberedCall()).toBeNull();
    expect(() => forgetCall()).not.toThrow();
  });

  it('keeps the call with mute, camera, screen share and chat as they change, and forgets them all when it ends', async () => {
    const { calls } = await liveCall();
    keepCall(calls);
    keepCallChat(calls);
    expect(rememberedCall()).toMatchObject({ callId: 'c1', had: nothingOn, chat: { entries: [], unread: 0, open: false } });

    calls.toggleMute();
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: () => Promise.resolve(fakeCamera()) } });
    await calls.media.setCamera(true);
    calls.screenShare.stoppedOnReload(); // shared before an earlier reload, not again since
    calls.chat.restore([{ from: 'Bob', mine: false, text: 'hi', sentAt: 5 }], 1, false);
    keepCall(calls);
    keepCallChat(calls);
    expect(rememberedCall()).toMatchObject({ had: { muted: true, camera: true, screen: true, video: false }, chat });

    void calls.hangup();
    keepCall(calls);
    keepCallChat(calls);
    expect(rememberedCall()).toBeNull();
    expect(sessionStorage.getItem(CHAT_KEY)).toBeNull();
  });

  it('a chat too long for the storage gives its room up (the call and its mute must fit), and the call goes on', async () => {
    const { calls } = await liveCall();
    keepCallChat(calls);
    expect(sessionStorage.getItem(CHAT_KEY)).not.toBeNull();
    (sessionStorage as unknown as MemoryStorage).setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    expect(() => keepCallChat(calls)).not.toThrow();
    expect(sessionStorage.getItem(CHAT_KEY)).toBeNull();
    expect(calls.phase.kind).toBe('active');
  });
});
