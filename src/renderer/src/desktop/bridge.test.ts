import { describe, expect, it } from 'vitest';
import type { ParleyDesktopApi } from '../../../shared/ipc.js';
import type { CallController } from '../call/controller.svelte.js';
import type { GroupCalls } from '../call/group-calls.js';
import { DesktopBridge, type BridgeParts, type LoadingCalls } from './bridge.svelte.js';

type Loaded = Awaited<ReturnType<LoadingCalls['load']>>;

/** A bridge whose call code arrives when the test says; what the calls and the directory were told, in order. */
function bridge() {
  const done: string[] = [];
  const calls = {
    phase: { kind: 'idle' },
    waiting: { call: null },
    dial: (username: string) => {
      done.push(`dial ${username}`);
      return Promise.resolve();
    },
    hangupOrEnd: () => done.push('hangup'),
  } as unknown as CallController;
  let arrive = (): void => undefined;
  // Loaded once, however many ask (as LazyCalls does).
  const code = new Promise<Loaded>((resolve) => (arrive = () => resolve({ calls, groups: {} as unknown as GroupCalls })));
  const loading: LoadingCalls = { parts: null, load: () => code };
  const parts = {
    calls: loading,
    directory: { setStatus: (status: string) => done.push(`status ${status}`) },
  } as unknown as BridgeParts;
  return { bridge: new DesktopBridge({} as ParleyDesktopApi['desktop'], parts), done, arrive: () => arrive() };
}

describe('DesktopBridge before the call code has loaded', () => {
  it('a tray dial and a hang-up taken meanwhile are done once it is there, in the order given', async () => {
    const { bridge: b, done, arrive } = bridge();
    b.handle({ type: 'dial', username: 'bob' });
    b.handle({ type: 'hangup' });
    expect(done).toEqual([]);
    arrive();
    await new Promise((r) => setTimeout(r, 0));
    expect(done).toEqual(['dial bob', 'hangup']);
  });

  it('a command that needs no call (a status) does not wait for it', () => {
    const { bridge: b, done } = bridge();
    b.handle({ type: 'set-status', status: 'dnd' });
    expect(done).toEqual(['status dnd']);
  });
});

/** A bridge with the call code loaded: in call `c1`, `c0` held aside, this side's transfer ringing for `ringing`; what the transfer was told. */
function inCall(ringing: string | null = null) {
  const done: string[] = [];
  const step = (what: string) => () => {
    done.push(what);
    return Promise.resolve();
  };
  const transfer = {
    ringing: ringing === null ? null : { callId: ringing, to: { username: 'cyd', displayName: 'Cyd' } },
    blind: (to: string) => step(`blind ${to}`)(),
    takeBack: step('take back'),
    complete: step('complete'),
    merge: step('merge'),
    choose: () => done.push('choose'),
  };
  const calls = {
    phase: { kind: 'active', callId: 'c1' },
    waiting: { call: null },
    aside: { callId: 'c0', peer: { username: 'cyd', displayName: 'Cyd' } },
    live: () => ({ callId: 'c1' }),
    transfer,
  } as unknown as CallController;
  const loaded = { calls, groups: {} as unknown as GroupCalls };
  const parts = { calls: { parts: loaded, load: () => Promise.resolve(loaded) } } as unknown as BridgeParts;
  return { bridge: new DesktopBridge({} as ParleyDesktopApi['desktop'], parts), done };
}

describe('DesktopBridge: transfer and merge from the tray and the shortcuts', () => {
  it('each command calls the call model for the call it names', () => {
    const { bridge: b, done } = inCall('c1');
    b.handle({ type: 'transfer', callId: 'c1', to: 'dee' });
    b.handle({ type: 'transfer-picker' });
    b.handle({ type: 'take-back-transfer', callId: 'c1' });
    b.handle({ type: 'complete-transfer', callId: 'c0' });
    b.handle({ type: 'merge', callId: 'c0' });
    expect(done).toEqual(['blind dee', 'choose', 'take back', 'complete', 'merge']);
  });

  it('one naming a call that is not the one it applies to does nothing', () => {
    const { bridge: b, done } = inCall(null);
    b.handle({ type: 'transfer', callId: 'c0', to: 'dee' });
    b.handle({ type: 'take-back-transfer', callId: 'c1' });
    b.handle({ type: 'complete-transfer', callId: 'c1' });
    b.handle({ type: 'merge', callId: 'c9' });
    expect(done).toEqual([]);
  });

  it('a malformed one is refused before it reaches the calls', () => {
    const { bridge: b, done } = inCall('c1');
    for (const bad of [
      { type: 'transfer', callId: 'c1' },
      { type: 'transfer', callId: 'c1', to: 'Not A Username' },
      { type: 'transfer', callId: '', to: 'dee' },
      { type: 'merge' },
      { type: 'complete-transfer', callId: 'c0', to: 'dee' },
      { type: 'transfer-picker', callId: 'c1' },
      { type: 'take-back-transfer', callId: 7 },
    ]) {
      b.handle(bad);
    }
    expect(done).toEqual([]);
  });
});
