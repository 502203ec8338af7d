import type { HistoryEntry } from 'parley-server/protocol';
import { describe, expect, it } from 'vitest';
import { desktopStateSchema } from '../../../shared/desktop-state.js';
import { IDLE } from '../call/call-state.js';
import { desktopState, transferView, type DesktopInput } from './desktop-view.js';

const me = { username: 'ada', displayName: 'Ada' };
const bob = { username: 'bob', displayName: 'Bob' };
const base: DesktopInput = {
  connection: 'online',
  me,
  myStatus: 'available',
  chosenStatus: 'available',
  call: IDLE,
  muted: false,
  missedCalls: 0,
  directory: [],
  favorites: new Set(),
  history: [],
};
const entry = (peer: typeof bob, startedAt: number, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  seq: startedAt,
  callId: `c${startedAt}`,
  direction: 'incoming',
  peer,
  media: { audio: true, video: false },
  startedAt,
  answeredAt: null,
  endedAt: startedAt,
  outcome: 'no-answer',
  missed: true,
  ...over,
});

describe('desktop snapshot', () => {
  it('is empty and offline when signed out', () => {
    const s = desktopState({ ...base, connection: 'signed-out', me: null, missedCalls: 3 });
    expect(s).toMatchObject({ connection: 'signed-out', status: 'offline', missedCalls: 0, contacts: [] });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
  });

  it('lists favorites, then online contacts by most recent call, and skips offline non-favorites', () => {
    const directory = [
      { username: 'zed', displayName: 'Zed', status: 'available' as const },
      { username: 'bob', displayName: 'Bob', status: 'away' as const },
      { username: 'cat', displayName: 'Cat', status: 'offline' as const },
      { username: 'dan', displayName: 'Dan', status: 'offline' as const },
    ];
    const s = desktopState({ ...base, directory, favorites: new Set(['dan']), history: [entry(bob, 50)] });
    expect(s.contacts.map((c) => c.username)).toEqual(['dan', 'bob', 'zed']);
    expect(s.contacts[0]).toMatchObject({ favorite: true, status: 'offline' });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
  });

  it('mirrors the call: ringing, connecting, answered and muted', () => {
    expect(desktopState({ ...base, call: { kind: 'incoming', callId: 'c1', peer: bob, since: 0 } }).call).toEqual({ kind: 'ringing-in', callId: 'c1', peer: bob });
    const alice = { username: 'alice', displayName: 'Alice' };
    expect(desktopState({ ...base, call: { kind: 'incoming', callId: 'c1', peer: bob, since: 0 }, transferredBy: alice }).call).toEqual({ kind: 'ringing-in', callId: 'c1', peer: bob, transferredBy: alice });
    expect(desktopState({ ...base, call: { kind: 'outgoing', callId: null, peer: bob, ringing: false, since: 0 } }).call).toEqual({ kind: 'ringing-out', peer: bob });
    expect(desktopState({ ...base, muted: true, call: { kind: 'connecting', callId: 'c1', peer: bob, polite: true, since: 0 } }).call).toEqual({
      kind: 'in-call', callId: 'c1', peer: bob, muted: true, answeredAt: null,
    });
    expect(desktopState({ ...base, call: { kind: 'active', callId: 'c1', peer: bob, polite: true, answeredAt: 9 } }).call).toMatchObject({ answeredAt: 9 });
    expect(desktopState({ ...base, call: { kind: 'ended', callId: 'c1', peer: bob, reason: 'hangup', local: true, durationMs: 1, at: 2 } }).call).toEqual({ kind: 'none' });
  });

  it('carries push-to-talk (the key, whether it is held) in a call only', () => {
    const active = { kind: 'active', callId: 'c1', peer: bob, polite: true, answeredAt: 9 } as const;
    const talk = { key: 'ControlRight', talking: true };
    const s = desktopState({ ...base, call: active, pushToTalk: talk });
    expect(s.call).toEqual({ kind: 'in-call', callId: 'c1', peer: bob, muted: false, answeredAt: 9, pushToTalk: talk });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
    expect(desktopState({ ...base, call: active, pushToTalk: null }).call).not.toHaveProperty('pushToTalk');
    expect(desktopState({ ...base, pushToTalk: talk }).call).toEqual({ kind: 'none' });
    // A key main's hook could not know is refused by the contract.
    expect(desktopStateSchema.safeParse({ ...s, call: { ...s.call, pushToTalk: { key: 'Escape', talking: false } } }).success).toBe(false);
  });

  it('carries who holds the call while it can be held, and only then', () => {
    const active = { kind: 'active', callId: 'c1', peer: bob, polite: true, answeredAt: 9 } as const;
    const s = desktopState({ ...base, call: active, hold: { mine: true, theirs: false } });
    expect(s.call).toEqual({ kind: 'in-call', callId: 'c1', peer: bob, muted: false, answeredAt: 9, hold: { mine: true, theirs: false } });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
    expect(desktopState({ ...base, call: active, hold: null }).call).not.toHaveProperty('hold');
    expect(desktopState({ ...base, hold: { mine: true, theirs: false } }).call).toEqual({ kind: 'none' });
    // A call waiting rides on the call going on.
    const carol = { username: 'carol', displayName: 'Carol' };
    const w = desktopState({ ...base, call: active, waiting: { callId: 'c2', peer: carol } });
    expect(w.call).toMatchObject({ kind: 'in-call', callId: 'c1', waiting: { callId: 'c2', peer: carol } });
    expect(desktopStateSchema.safeParse(w).success).toBe(true);
  });

  it('says what transfer offers: ringing (for the call going on), a consult, or one that can start; nothing otherwise', () => {
    const carol = { username: 'carol', displayName: 'Carol', status: 'available' };
    const model = { possible: false, consulting: false, ringing: null };
    expect(transferView({ ...model, possible: true }, 'c1')).toEqual({ kind: 'possible' });
    expect(transferView({ ...model, consulting: true }, 'c1')).toEqual({ kind: 'consulting' });
    // Only whom it rings, as a name: nothing else of the directory's entry.
    expect(transferView({ ...model, ringing: { callId: 'c1', to: carol } }, 'c1')).toEqual({ kind: 'ringing', to: { username: 'carol', displayName: 'Carol' } });
    // A transfer ringing for a call now held aside is not the call going on's.
    expect(transferView({ ...model, consulting: true, ringing: { callId: 'c0', to: carol } }, 'c1')).toEqual({ kind: 'consulting' });
    expect(transferView(model, 'c1')).toBeNull();
  });

  it('carries transfer on the call going on; a consult only with the call held aside', () => {
    const active = { kind: 'active', callId: 'c1', peer: bob, polite: true, answeredAt: 9 } as const;
    const carol = { username: 'carol', displayName: 'Carol' };
    const s = desktopState({ ...base, call: active, aside: { callId: 'c0', peer: carol }, transfer: { kind: 'consulting' } });
    expect(s.call).toMatchObject({ kind: 'in-call', callId: 'c1', aside: { callId: 'c0' }, transfer: { kind: 'consulting' } });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
    const ringing = desktopState({ ...base, call: active, transfer: { kind: 'ringing', to: carol } });
    expect(ringing.call).toMatchObject({ transfer: { kind: 'ringing', to: carol } });
    expect(desktopStateSchema.safeParse(ringing).success).toBe(true);
    expect(desktopState({ ...base, call: active, transfer: { kind: 'consulting' } }).call).not.toHaveProperty('transfer');
    expect(desktopState({ ...base, call: active, transfer: null }).call).not.toHaveProperty('transfer');
    expect(desktopState({ ...base, transfer: { kind: 'possible' } }).call).toEqual({ kind: 'none' });
    // The contract refuses a consult without the call held aside.
    expect(desktopStateSchema.safeParse({ ...s, call: { ...s.call, aside: undefined } }).success).toBe(false);
  });

  it('shows offline while disconnected from the server, and caps the recent calls', () => {
    const history = Array.from({ length: 14 }, (_, i) => entry(bob, 100 - i));
    const s = desktopState({ ...base, connection: 'offline', history, missedCalls: 2 });
    expect(s.status).toBe('offline');
    expect(s.recent).toHaveLength(10);
    expect(s.recent[0]).toEqual({ callId: 'c100', peer: bob, direction: 'incoming', missed: true });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
  });

  it('carries the unheard voicemail and the newest message (who, how long), nothing of its audio; none signed out', () => {
    const latest = { id: 'q2Xk7fP0aLm3Zt9sB4vN1cRw', from: bob, at: 5, durationMs: 42_000, size: 9000, mime: 'audio/webm' as const, heard: false };
    const s = desktopState({ ...base, voicemail: { unheard: 2, latest } });
    expect(s.voicemail).toEqual({ unheard: 2, latest: { id: latest.id, from: bob, durationMs: 42_000 } });
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
    expect(desktopState({ ...base, connection: 'signed-out', voicemail: { unheard: 2, latest } }).voicemail).toBeUndefined();
  });
});
