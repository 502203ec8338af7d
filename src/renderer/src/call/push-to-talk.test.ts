/**
 * Push-to-talk's gate: closed in calls while the key is up, open while it is
 * held in the window or (desktop) anywhere, a short tail after letting go,
 * typing in a text field untouched, and the gate on the call's connections
 * together with mute (mute wins; the peer is told of mute only).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../settings/settings.js';
import { inCallWithBob, settle } from '../test-support/call-fakes.js';
import { PushToTalk, RELEASE_TAIL_MS } from './push-to-talk.svelte.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A key event as the window would dispatch it, at `target` (the page, a text field, a capture field). */
function key(code: string, target: object | null = null, repeat = false) {
  return { code, repeat, target: target as EventTarget | null, preventDefault: vi.fn() };
}
const field = (tagName: string, capture = false) => ({ tagName, closest: (selector: string) => (capture && selector === '[data-key-capture]' ? {} : null) });
const page = { tagName: 'BUTTON', closest: () => null };

function make(settings: Partial<Settings> = { pushToTalk: true, pushToTalkKey: 'F8' }, live = true) {
  const state = { settings: { ...DEFAULT_SETTINGS, ...settings }, live };
  const gates: boolean[] = [];
  const ptt = new PushToTalk({ settings: () => state.settings, live: () => state.live, gate: (closed) => gates.push(closed) });
  const target = new EventTarget() as unknown as Window;
  ptt.start(target);
  return { ptt, gates, state, target };
}

describe('push-to-talk', () => {
  it('off, or on without a key: the microphone is never held closed and keys do nothing', () => {
    for (const settings of [{}, { pushToTalk: true, pushToTalkKey: null }, { pushToTalk: false, pushToTalkKey: 'F8' }]) {
      const { ptt, gates } = make(settings);
      const event = key('F8', page);
      ptt.keyDown(event);
      expect(gates).toEqual([false]);
      expect(ptt.gated).toBe(false);
      expect(event.preventDefault).not.toHaveBeenCalled();
    }
  });

  it('on: closed until the key is held, open while held, closed again a moment after it is let go', () => {
    vi.useFakeTimers();
    const { ptt, gates } = make();
    expect(gates).toEqual([true]);
    const down = key('F8', page);
    ptt.keyDown(down);
    // F8 held to talk does not also do what F8 does in the page.
    expect(down.preventDefault).toHaveBeenCalled();
    expect(ptt.talking).toBe(true);
    expect(gates).toEqual([true, false]);
    ptt.keyDown(key('F8', page, true));
    ptt.keyUp(key('F8', page));
    expect(gates).toEqual([true, false]);
    vi.advanceTimersByTime(RELEASE_TAIL_MS - 1);
    expect(ptt.talking).toBe(true);
    vi.advanceTimersByTime(1);
    expect(ptt.talking).toBe(false);
    expect(gates).toEqual([true, false, true]);
  });

  it('pressed again within the tail (an autorepeat gap, the next word) it stays open', () => {
    vi.useFakeTimers();
    const { ptt, gates } = make();
    ptt.keyDown(key('F8', page));
    ptt.keyUp(key('F8', page));
    vi.advanceTimersByTime(RELEASE_TAIL_MS / 2);
    ptt.keyDown(key('F8', page));
    vi.advanceTimersByTime(RELEASE_TAIL_MS * 2);
    expect(gates).toEqual([true, false]);
  });

  it('other keys, and the key outside a call, do nothing', () => {
    const { ptt, gates, state } = make();
    ptt.keyDown(key('F9', page));
    state.live = false;
    const outside = key('F8', page);
    ptt.keyDown(outside);
    expect(outside.preventDefault).not.toHaveBeenCalled();
    expect(gates).toEqual([true]);
  });

  it('a key that types, types in a text field (and does not open the microphone); outside a field it pushes to talk', () => {
    const { ptt, gates } = make({ pushToTalk: true, pushToTalkKey: 'Space' });
    for (const tag of ['INPUT', 'TEXTAREA']) {
      const typed = key('Space', field(tag));
      ptt.keyDown(typed);
      ptt.keyUp(key('Space', field(tag)));
      expect(typed.preventDefault).not.toHaveBeenCalled();
    }
    expect(gates).toEqual([true]);
    // On a focused button, Space talks instead of pressing it.
    const onButton = key('Space', page);
    ptt.keyDown(onButton);
    expect(onButton.preventDefault).toHaveBeenCalled();
    expect(gates).toEqual([true, false]);
  });

  it('a key that types nothing pushes to talk in a text field too; a modifier keeps its own meaning', () => {
    const { ptt, gates } = make({ pushToTalk: true, pushToTalkKey: 'ControlRight' });
    const down = key('ControlRight', field('INPUT'));
    ptt.keyDown(down);
    expect(gates).toEqual([true, false]);
    // Right Ctrl+C still copies.
    expect(down.preventDefault).not.toHaveBeenCalled();
  });

  it("Settings' key-capture fields read the key themselves", () => {
    const { ptt, gates } = make();
    ptt.keyDown(key('F8', field('INPUT', true)));
    expect(gates).toEqual([true]);
  });

  it('held in another app (the desktop hook) or in the window: either is enough; leaving the window lets go of its own hold only', () => {
    vi.useFakeTimers();
    const { ptt, gates, target } = make();
    ptt.setElsewhere(true);
    ptt.keyDown(key('F8', page));
    ptt.setElsewhere(false);
    vi.advanceTimersByTime(RELEASE_TAIL_MS * 2);
    expect(ptt.talking).toBe(true);
    target.dispatchEvent(new Event('blur'));
    vi.advanceTimersByTime(RELEASE_TAIL_MS);
    expect(ptt.talking).toBe(false);
    expect(gates).toEqual([true, false, true]);

    ptt.setElsewhere(true);
    target.dispatchEvent(new Event('blur'));
    vi.advanceTimersByTime(RELEASE_TAIL_MS * 2);
    expect(ptt.talking).toBe(true);
  });

  it('turned off mid-call the microphone opens; on again it closes; the end of the call lets go', () => {
    const { ptt, gates, state } = make();
    ptt.keyDown(key('F8', page));
    state.settings = { ...state.settings, pushToTalk: false };
    ptt.refresh();
    expect(ptt.talking).toBe(false);
    state.settings = { ...state.settings, pushToTalk: true };
    ptt.refresh();
    ptt.setElsewhere(true);
    ptt.release();
    expect(ptt.talking).toBe(false);
    expect(gates).toEqual([true, false, true, false, true]);
  });

  it('listens to the window it was started on until disposed', () => {
    const { ptt, gates, target } = make();
    target.dispatchEvent(Object.assign(new Event('keydown'), { code: 'F8', repeat: false }));
    expect(gates).toEqual([true, false]);
    ptt.dispose();
    ptt.release();
    target.dispatchEvent(Object.assign(new Event('keydown'), { code: 'F8', repeat: false }));
    expect(gates).toEqual([true, false, true]);
  });
});

describe('the gate on a call', () => {
  const inCall = () => inCallWithBob();

  it('closes and opens every connection, and a connection made while closed starts closed', async () => {
    const { calls, sessions, link } = await inCall();
    calls.line.setGate(true);
    expect(sessions[0]!.muted).toBe(true);
    calls.mesh.add({ username: 'cyd', displayName: 'Cyd' }, true);
    expect(sessions[1]!.request.muted).toBe(true);
    calls.line.setGate(false);
    expect(sessions.map((s) => s.muted)).toEqual([false, false]);
    // Said to nobody: the gate is not mute.
    expect(link.sent.filter((m) => m.event === 'call:mute')).toEqual([]);
  });

  it('mute wins: unmuting while the key is up keeps the microphone closed; the peer hears of mute only', async () => {
    const { calls, sessions, link } = await inCall();
    calls.line.setGate(true);
    calls.toggleMute();
    expect(sessions[0]!.muted).toBe(true);
    calls.line.setGate(false);
    expect(sessions[0]!.muted).toBe(true);
    calls.line.setGate(true);
    calls.toggleMute();
    expect(sessions[0]!.muted).toBe(true);
    calls.line.setGate(false);
    expect(sessions[0]!.muted).toBe(false);
    await settle();
    expect(link.sent.filter((m) => m.event === 'call:mute').map((m) => m.payload)).toEqual([
      { callId: 'c1', muted: true },
      { callId: 'c1', muted: false },
    ]);
  });
});
