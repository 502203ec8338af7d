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
