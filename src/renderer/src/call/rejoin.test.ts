import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle, setup, user } from '../test-support/call-fakes.js';
import { CAMERA_NOT_BACK, type RememberedCall } from './call-memory.svelte.js';
import { rejoin } from './rejoin.js';

const bob = user('bob');
const nothingOn = { muted: false, camera: false, screen: false, video: false };
const remembered: RememberedCall = { callId: 'c1', peer: bob, room: null, outgoing: true, answeredAt: 1000, had: nothingOn, chat: null };
const resumed = () => ({ ok: true, state: 'active', polite: true, participants: [bob] });

/** getUserMedia for the camera: a fake one, or a refusal. */
function camera(opens: boolean): { asked: () => number } {
  let asked = 0;
  const track = { kind: 'video', addEventListener: () => undefined, stop: () => undefined };
  const stream = { getVideoTracks: () => [track], getTracks: () => [track] };
  const getUserMedia = () => {
    asked++;
    return opens ? Promise.resolve(stream) : Promise.reject(new DOMException('denied', 'NotAllowedError'));
  };
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia } });
  return { asked: () => asked };
}

afterEach(() => {
  vi.unstubAllGlobals();
});
const offer = { description: { type: 'offer' as const, sdp: 'v=0' } };

describe('rejoin after a reload', () => {
  it("bob's offer, sent the moment the server answers the resume, lands in the new session even while the microphone is slow to open", async () => {
    const t = setup();
    let openMic: (() => void) | null = null;
    t.platform.openMicrophone = () => new Promise((resolve) => (openMic = () => resolve(t.microphone)));
    t.link.replies.set('call:resume', () => {
      // The server tells bob at once; his offer comes back right behind the answer.
      setTimeout(() => t.link.emit('call:signal', { callId: 'c1', from: 'bob', ...offer }), 0);
      return { ok: true, state: 'active', polite: true, participants: [bob] };
    });
    const done = rejoin(t.calls, t.deps, remembered);
    await settle();
    openMic!();
    expect(await done).toBe(true);
    await settle();
    expect(t.sessions).toHaveLength(1);
    expect(t.sessions[0]!.polite).toBe(true);
    expect(t.sessions[0]!.signals).toEqual([offer]);
    expect(t.calls.phase.kind).not.toBe('idle');
  });

  it('a call the server ended meanwhile closes the microphone it opened and says so', async () => {
    const t = setup();
    t.link.replies.set('call:resume', () => ({ ok: true, state: 'ended', reason: 'hangup' }));
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(true);
    expect(t.stopped).toEqual([t.microphone]);
    expect(t.sessions).toHaveLength(0);
    expect(t.notices.announcement).toContain('The call ended while Parley reloaded.');
  });

  it('an unreachable server: the microphone is closed and the rejoin is tried again later', async () => {
    const t = setup();
    t.link.connected = false;
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(false);
    expect(t.stopped).toEqual([t.microphone]);
  });

  it('a reloaded window learns from the answer who records the call', async () => {
    const t = setup();
    t.link.replies.set('call:resume', () => ({ ok: true, state: 'active', polite: true, participants: [bob], recording: ['bob'] }));
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(true);
    expect(t.calls.line.recording.others).toEqual(['bob']);
  });

  it('a window that had muted comes back muted: its new connection starts muted, and the others are told', async () => {
    const t = setup();
    t.link.replies.set('call:resume', resumed);
    expect(await rejoin(t.calls, t.deps, { ...remembered, had: { ...nothingOn, muted: true } })).toBe(true);
    expect(t.calls.muted).toBe(true);
    expect(t.sessions).toHaveLength(1);
    expect(t.sessions[0]!.request.muted).toBe(true);
    expect(t.link.last('call:mute')).toEqual({ callId: 'c1', muted: true });
    expect(t.notices.announcement).toContain('Back in the call, still muted.');
  });

  it('a window that had not muted tells the others so (they may have heard otherwise while it was away)', async () => {
    const t = setup();
    t.link.replies.set('call:resume', resumed);
    await rejoin(t.calls, t.deps, remembered);
    expect(t.calls.muted).toBe(false);
    expect(t.link.last('call:mute')).toEqual({ callId: 'c1', muted: false });
  });

  it('camera, video call and chat come back; a screen share cannot start by itself, so the stage offers it again', async () => {
    const t = setup();
    const cam = camera(true);
    t.link.replies.set('call:resume', resumed);
    const chat = { entries: [{ from: 'Bob', mine: false, text: 'hello', sentAt: 5 }, { from: 'You', mine: true, text: 'hi', sentAt: 6, delivery: 'delivered' as const }], unread: 0, open: true };
    await rejoin(t.calls, t.deps, { ...remembered, had: { muted: false, camera: true, screen: true, video: true }, chat });
    await settle();
    expect(cam.asked()).toBe(1);
    expect(t.calls.media.cameraOn).toBe(true);
    expect(t.calls.videoCall).toBe(true);
    expect(t.calls.chat.entries.map((e) => [e.from, e.text])).toEqual([['Bob', 'hello'], ['You', 'hi']]);
    expect(t.calls.chat.open).toBe(true);
    expect(t.calls.screenShare.stoppedByReload).toBe(true);
    expect(t.calls.screenShare.sharing).toBe(false);
    expect(t.notices.announcement).toContain('Your screen share stopped when Parley reloaded');
    // Gone with the call.
    void t.calls.hangup();
    expect([t.calls.screenShare.stoppedByReload, t.calls.chat.entries.length]).toEqual([false, 0]);
  });

  it('a camera that does not open again is said to be off since the reload', async () => {
    const t = setup();
    camera(false);
    t.link.replies.set('call:resume', resumed);
    await rejoin(t.calls, t.deps, { ...remembered, had: { ...nothingOn, camera: true, video: true } });
    await settle();
    expect(t.calls.media.cameraOn).toBe(false);
    expect(t.notices.notice).toBe(CAMERA_NOT_BACK);
  });

  it('nothing is put back when the call ended while the window reloaded', async () => {
    const t = setup();
    const cam = camera(true);
    t.link.replies.set('call:resume', () => ({ ok: true, state: 'ended', reason: 'hangup' }));
    await rejoin(t.calls, t.deps, { ...remembered, had: { muted: true, camera: true, screen: true, video: true } });
    await settle();
    expect([cam.asked(), t.calls.muted, t.calls.screenShare.stoppedByReload]).toEqual([0, false, false]);
  });
});
