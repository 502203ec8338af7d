/**
 * When SfuCalls looks at the calls: its tick runs while a call here is on the
 * SFU (the one going on, or one on hold), and never at rest or in a call on
 * the mesh, where it would only wake the page. Its sessions are fakes (no
 * WebRTC here).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { carolCalls, inCallWithBob, settle, setup } from '../../test-support/call-fakes.js';
import type { CallController } from '../controller.svelte.js';
import { SfuCalls } from './sfu-calls.js';
import type { SfuSession, SfuSessionOptions } from './sfu-session.js';

interface Made {
  callId: string;
  /** How often what it receives was read: once a tick. */
  reads: number;
  closed: boolean;
}

/** SfuCalls over the test's controller, counting how often it looks at the calls, with fake sessions. */
function sfuOver(fakes: { link: ReturnType<typeof setup>['link']; calls: CallController }) {
  const made: Made[] = [];
  const watch = { looks: 0 };
  const makeSession = (options: SfuSessionOptions): SfuSession => {
    const m: Made = { callId: options.callId, reads: 0, closed: false };
    made.push(m);
    const fake = {
      callId: options.callId,
      start: () => undefined,
      close: () => void (m.closed = true),
      offer: () => undefined,
      setTalking: () => undefined,
      connected: () => false,
      setView: () => undefined,
      framesDecoded: () => Promise.resolve(new Map()),
      received: () => {
        m.reads += 1;
        return new Map();
      },
    };
    return fake as unknown as SfuSession;
  };
  const sfu = new SfuCalls(fakes.link, () => (watch.looks++, fakes.calls), makeSession);
  return { sfu, made, watch };
}

describe('the SFU tick', () => {
  // Intervals and the clock are fake; the controller's own settle() keeps its real setTimeout.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('at rest, hearing of a call on the SFU that is not here looks once and never again', () => {
    const fakes = setup();
    const { watch, made } = sfuOver(fakes);
    vi.advanceTimersByTime(60_000);
    expect(watch.looks).toBe(0);
    fakes.link.emit('room:mode', { callId: 'elsewhere', mode: 'sfu' });
    const looked = watch.looks;
    vi.advanceTimersByTime(60_000);
    expect(watch.looks).toBe(looked);
    expect(made).toEqual([]);
  });

  it('in a call on the mesh it does not run', async () => {
    const fakes = await inCallWithBob();
    const { watch, made } = sfuOver(fakes);
    fakes.link.emit('room:mode', { callId: 'c1', mode: 'mesh' });
    const looked = watch.looks;
    vi.advanceTimersByTime(60_000);
    expect(watch.looks).toBe(looked);
    expect(made).toEqual([]);
  });

  it('runs while the call going on is on the SFU, and stops once it is over', async () => {
    const fakes = await inCallWithBob();
    const { watch, made } = sfuOver(fakes);
    fakes.link.emit('room:mode', { callId: 'c1', mode: 'sfu' });
    expect(made.map((m) => m.callId)).toEqual(['c1']);
    vi.advanceTimersByTime(2_000);
    const session = made[0]!;
    expect(session.reads).toBeGreaterThan(2);
    await fakes.calls.hangup();
    vi.advanceTimersByTime(1_000);
    expect(session.closed).toBe(true);
    const looked = watch.looks;
    vi.advanceTimersByTime(60_000);
    expect(watch.looks).toBe(looked);
  });

  it('keeps running while the call on the SFU is on hold, so it is on the SFU again when taken back', async () => {
    const fakes = await inCallWithBob();
    const { link, calls } = fakes;
    const { made } = sfuOver(fakes);
    link.emit('room:mode', { callId: 'c1', mode: 'sfu' });
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    vi.advanceTimersByTime(1_000);
    // Carol's call is not on the SFU: the held call's session goes meanwhile.
    expect(made[0]!.closed).toBe(true);
    link.emit('call:ended', { callId: 'c2', reason: 'hangup' });
    await settle();
    vi.advanceTimersByTime(5_000);
    expect(made.map((m) => [m.callId, m.closed])).toEqual([
      ['c1', true],
      ['c1', false],
    ]);
  });
});
