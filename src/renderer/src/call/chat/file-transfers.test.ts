import { describe, expect, it } from 'vitest';
import { fakePeerConnection, join } from '../../test-support/fake-data-channel.js';
import { fileRowText } from '../../screens/call/file-text.js';
import { ChatChannel } from './chat.js';
import { ChatLog } from './chat.svelte.js';
import type { FileItem } from './file-transfers.svelte.js';

async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Alice's chat log in a call with each of `names`, each of them a ChatLog of their own over joined channels. */
function call(names: string[], limits: Record<string, number> = {}) {
  const alice = new ChatLog(() => undefined, () => 1_000_000);
  const others = names.map((name) => {
    const mine = fakePeerConnection();
    const theirs = fakePeerConnection();
    const toThem = new ChatChannel(mine.pc);
    const toAlice = new ChatChannel(theirs.pc);
    const log = new ChatLog(() => undefined, () => limits[name] ?? 1_000_000);
    alice.attach(toThem, name);
    log.attach(toAlice, 'Alice');
    join(mine.channels, theirs.channels);
    return { name, log, toThem, channels: mine.channels };
  });
  return { alice, others };
}

const fileOf = (alice: ChatLog): FileItem => alice.entries.at(-1)!.file!;
const rows = (item: FileItem) => item.rows.map((r) => [r.peer, r.state]);
const file = (size: number, name = 'notes.bin') => new File([new Uint8Array(size).fill(7)], name);

describe('files in the chat log', () => {
  it('a file goes to everyone in a group call over each one\'s connection, with a row of progress per person', async () => {
    const { alice, others } = call(['Bob', 'Carol']);
    expect(alice.peers).toBe(2);
    expect(alice.sendFile(file(300_000))).toBe(true);
    const item = fileOf(alice);
    expect(alice.entries.at(-1)).toMatchObject({ from: 'You', mine: true, text: '' });
    expect(alice.entries.at(-1)?.delivery).toBeUndefined();
    expect(rows(item)).toEqual([['Bob', 'preparing'], ['Carol', 'preparing']]);
    await until(() => item.rows.every((r) => r.state === 'delivered'));
    expect(item.rows.map((r) => r.percent)).toEqual([100, 100]);
    for (const { log } of others) {
      const got = fileOf(log);
      expect(log.entries.at(-1)).toMatchObject({ from: 'Alice', mine: false });
      expect([got.name, got.size, got.rows[0]?.state, got.rows[0]?.percent]).toEqual(['notes.bin', 300_000, 'ready', 100]);
      expect(got.url).toMatch(/^blob:/);
      expect(log.unread).toBe(1);
    }
  });

  it('each person\'s limit counts for them alone', async () => {
    const { alice, others } = call(['Bob', 'Carol'], { Carol: 1000 });
    alice.sendFile(file(5000));
    const item = fileOf(alice);
    await until(() => item.rows.every((r) => r.state === 'delivered' || r.state === 'too-large'));
    expect(rows(item)).toEqual([['Bob', 'delivered'], ['Carol', 'too-large']]);
    expect(fileRowText(item.rows[1]!, true)).toBe('Not sent: Carol has a limit of 1000 B');
    const carols = fileOf(others[1]!.log);
    expect(fileRowText(carols.rows[0]!, false)).toBe('Not received: larger than your limit of 1000 B (Settings)');
    expect(carols.url).toBeNull();
  });

  it('a file over one\'s own limit is shown and not sent', () => {
    const { alice, others } = call(['Bob']);
    alice.sendFile(file(1_000_001, 'huge.iso'));
    const item = fileOf(alice);
    expect([item.overLimit, item.rows, item.cancellable]).toEqual([1_000_000, [], false]);
    expect(others[0]!.channels.get('chat')!.sent).toEqual([]);
  });

  it('cancelled while being prepared, nothing is offered', async () => {
    const { alice, others } = call(['Bob']);
    alice.sendFile(file(10));
    const item = fileOf(alice);
    alice.files.cancel(item);
    expect(rows(item)).toEqual([['Bob', 'cancelled']]);
    await new Promise((r) => setTimeout(r, 20));
    expect(others[0]!.channels.get('chat')!.sent).toEqual([]);
  });

  it('someone leaving fails what was still going to them; the call ending forgets every file', async () => {
    const { alice, others } = call(['Bob', 'Carol']);
    alice.sendFile(file(10));
    const item = fileOf(alice);
    alice.detach(others[0]!.toThem);
    expect(alice.peers).toBe(1);
    expect(rows(item)[0]).toEqual(['Bob', 'failed']);
    await until(() => item.rows[1]?.state === 'delivered');
    alice.reset();
    expect([alice.entries, alice.peers]).toEqual([[], 0]);
    expect(alice.sendFile(file(1))).toBe(false);
  });
});
