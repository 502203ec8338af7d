/**
 * presence-batches.ts's burst windows, on a fake clock: below the burst a
 * device's first change goes at once and the rest at its window's end; from
 * `from` open windows on, new windows last the burst's length and hold the
 * first change too; windows of both lengths end on time, whatever order they
 * opened in; the last change of each user always arrives.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceBatches } from '../src/realtime/presence-batches.js';
import type { ParleySocket } from '../src/realtime/types.js';
import type { Status } from '../src/protocol/index.js';

type Sent = { at: number; changes: [string, Status][] };

function device(id: string, start: number) {
  const sent: Sent[] = [];
  const socket = {
    id,
    emit: (_event: string, p: { changes: { username: string; status: Status }[] }) => {
      sent.push({ at: performance.now() - start, changes: p.changes.map((c) => [c.username, c.status]) });
      return true;
    },
  } as unknown as ParleySocket;
  return { socket, sent };
}
const change = (username: string, status: Status) => ({ username, displayName: username, status });

describe('presence batches in a burst', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('below the burst: the first change at once, the rest at the 250 ms window’s end', () => {
    const start = performance.now();
    const batches = new PresenceBatches(250, { windowMs: 2000, from: 3 });
    const a = device('a', start);
    batches.push(a.socket, change('bob', 'available'));
    batches.push(a.socket, change('carol', 'away'));
    batches.push(a.socket, change('bob', 'dnd'));
    expect(a.sent).toEqual([{ at: 0, changes: [['bob', 'available']] }]);
    vi.advanceTimersByTime(250);
    expect(a.sent.slice(1)).toEqual([{ at: 250, changes: [['carol', 'away'], ['bob', 'dnd']] }]);
  });

  it('from `from` open windows: new windows last 2 s and hold their first change; the others end on time; every last change arrives', () => {
    const start = performance.now();
    const batches = new PresenceBatches(250, { windowMs: 2000, from: 3 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => device(id, start)) as [ReturnType<typeof device>, ReturnType<typeof device>, ReturnType<typeof device>, ReturnType<typeof device>];
    // Three windows open (not a burst yet when each opened): each first change at once.
    for (const x of [a, b, c]) batches.push(x.socket, change('bob', 'available'));
    expect([a, b, c].map((x) => x.sent.length)).toEqual([1, 1, 1]);
    // The fourth device opens its window in the burst: nothing at once.
    batches.push(d.socket, change('bob', 'available'));
    batches.push(d.socket, change('carol', 'away'));
    expect(d.sent).toEqual([]);
    // a's next change; the others' windows close empty at 250 ms.
    batches.push(a.socket, change('carol', 'away'));
    vi.advanceTimersByTime(250);
    expect(a.sent.at(-1)).toEqual({ at: 250, changes: [['carol', 'away']] });
    // a's window reopened at 250 ms with fewer than three open (d's and a's): a normal one, ending at 500 ms,
    // before d's long one though it opened after it.
    batches.push(a.socket, change('carol', 'dnd'));
    vi.advanceTimersByTime(250);
    expect(a.sent.at(-1)).toEqual({ at: 500, changes: [['carol', 'dnd']] });
    expect(d.sent).toEqual([]);
    batches.push(d.socket, change('bob', 'dnd'));
    vi.advanceTimersByTime(1500);
    expect(d.sent).toEqual([{ at: 2000, changes: [['carol', 'away'], ['bob', 'dnd']] }]);
  });

  it('a device gone or no longer watching a user mid-burst is sent nothing of it', () => {
    const start = performance.now();
    const batches = new PresenceBatches(250, { windowMs: 2000, from: 1 });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => device(id, start)) as [ReturnType<typeof device>, ReturnType<typeof device>, ReturnType<typeof device>];
    batches.push(a.socket, change('bob', 'available'));
    batches.push(b.socket, change('bob', 'available'));
    batches.push(c.socket, change('bob', 'available'));
    batches.push(c.socket, change('carol', 'away'));
    batches.remove('b');
    batches.drop('c', ['bob']);
    vi.advanceTimersByTime(2000);
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toEqual([]);
    expect(c.sent).toEqual([{ at: 2000, changes: [['carol', 'away']] }]);
  });

  it('0 turns the burst off: 250 ms windows however many are open', () => {
    const start = performance.now();
    const batches = new PresenceBatches(250, { windowMs: 0, from: 1 });
    const [a, b] = ['a', 'b'].map((id) => device(id, start)) as [ReturnType<typeof device>, ReturnType<typeof device>];
    batches.push(a.socket, change('bob', 'available'));
    batches.push(b.socket, change('bob', 'available'));
    batches.push(b.socket, change('bob', 'away'));
    expect(b.sent).toHaveLength(1);
    vi.advanceTimersByTime(250);
    expect(b.sent.at(-1)).toEqual({ at: 250, changes: [['bob', 'away']] });
  });
});
