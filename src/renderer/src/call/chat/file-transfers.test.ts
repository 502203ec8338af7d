import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakePeerConnection, join } from '../../test-support/fake-data-channel.js';
import { fileRowText } from '../../screens/call/file-text.js';
import { ChatChannel } from './chat.js';
import { CHAT_HISTORY_LIMIT, ChatLog } from './chat.svelte.js';
import type { FileRules } from './file-consent.js';
import { CALL_FILE_CAP, FileItem } from './file-transfers.svelte.js';

async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A limit and an auto-accept size in bytes (everything under the limit unless given). */
const rules = (limit: number, autoAccept = limit): FileRules => ({ limit: () => limit, autoAccept: () => autoAccept });

/**
 * Alice's chat log in a call with each of `names`, each of them a ChatLog of
 * their own over joined channels. They take every file without asking unless
 * `ask` names them (those ask about every file).
 */
function call(names: string[], limits: Record<string, number> = {}, cap?: { files: number; bytes: number }, ask: string[] = []) {
  const alice = new ChatLog(() => undefined, rules(1_000_000));
  const others = names.map((name) => {
    const mine = fakePeerConnection();
    const theirs = fakePeerConnection();
    const toThem = new ChatChannel(mine.pc);
    const toAlice = new ChatChannel(theirs.pc);
    const limit = limits[name] ?? 1_000_000;
    const log = new ChatLog(() => undefined, rules(limit, ask.includes(name) ? 0 : limit), cap);
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

  it.each([
    ['files', { files: 2, bytes: 1_000_000 }],
    ['bytes', { files: 20, bytes: 25 }],
  ])('a receiver takes so many %s per call from its peers; beyond that it refuses, and both sides say why', async (_, cap) => {
    const { alice, others } = call(['Bob'], {}, cap);
    const bob = others[0]!.log;
    const sent: FileItem[] = [];
    for (let i = 0; i < 3; i++) {
      alice.sendFile(file(10, `f${i}.bin`));
      sent.push(fileOf(alice));
    }
    await until(() => sent.every((item) => item.rows[0]?.state === 'delivered' || item.rows[0]?.state === 'call-full'));
    // Each file is hashed before it is offered, so they may be offered in any order: two go, the third does not.
    expect(sent.map((item) => item.rows[0]!.state).sort()).toEqual(['call-full', 'delivered', 'delivered']);
    const refused = sent.find((item) => item.rows[0]?.state === 'call-full')!;
    expect(fileRowText(refused.rows[0]!, true)).toBe('Not sent: Bob takes no more files in this call');
    const got = bob.entries.map((e) => e.file!);
    expect(got.map((item) => item.rows[0]!.state).sort()).toEqual(['call-full', 'ready', 'ready']);
    const notTaken = got.find((item) => item.rows[0]?.state === 'call-full')!;
    expect([notTaken.name, notTaken.url]).toEqual([refused.name, null]);
    expect(fileRowText(notTaken.rows[0]!, false)).toBe("Not received: this call's file limit is reached");
  });

  it('files taken before a reload still count toward the cap; ones refused then do not', async () => {
    const { alice, others } = call(['Bob'], {}, { files: 3, bytes: 1_000_000 });
    const bob = others[0]!.log;
    const kept = (id: string, state: 'interrupted' | 'too-large') => ({
      from: 'Alice', mine: false, text: '', sentAt: 1,
      file: new FileItem(id, `${id}.bin`, 10, false, [{ key: 1, peer: 'Alice', state, percent: 0 }]),
    });
    bob.restore([kept('a', 'interrupted'), kept('b', 'interrupted'), kept('c', 'too-large')], 0, true);
    alice.sendFile(file(10, 'one.bin'));
    const one = fileOf(alice);
    await until(() => one.rows[0]?.state === 'delivered');
    alice.sendFile(file(10, 'two.bin'));
    const two = fileOf(alice);
    await until(() => two.rows[0]?.state === 'call-full');
  });

  it('the default cap is 20 files and 500 MB per call', () => {
    expect(CALL_FILE_CAP).toEqual({ files: 20, bytes: 500 * 1024 * 1024 });
  });

  it('a received file\'s URL is revoked as soon as the chat drops its entry, not when the call ends', async () => {
    const revoked: string[] = [];
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => void revoked.push(url));
    const { alice, others } = call(['Bob']);
    const bob = others[0]!.log;
    alice.sendFile(file(10));
    await until(() => typeof bob.entries.at(-1)?.file?.url === 'string');
    const got = fileOf(bob);
    const url = got.url!;
    for (let i = 0; i < CHAT_HISTORY_LIMIT - 1; i++) bob.send(`message ${i}`);
    expect([bob.entries[0]?.file, revoked]).toEqual([got, []]);
    bob.send('one more');
    expect(bob.entries.some((e) => e.file === got)).toBe(false);
    expect([revoked, got.url]).toEqual([[url], null]);
    bob.reset();
    expect(revoked).toEqual([url]);
  });
});

describe('files the receiver is asked about', () => {
  it('wait for Accept with nothing to save; accepted, they arrive and can be saved; both sides say where it stands', async () => {
    const { alice, others } = call(['Bob'], {}, undefined, ['Bob']);
    const bob = others[0]!.log;
    alice.sendFile(file(5000, 'plan.pdf'));
    const sent = fileOf(alice);
    await until(() => sent.rows[0]?.state === 'asking');
    const got = fileOf(bob);
    expect([got.name, got.awaitingAnswer, got.cancellable, got.url]).toEqual(['plan.pdf', true, false, null]);
    expect(fileRowText(got.rows[0]!, false)).toBe('Alice wants to send you this file');
    expect(fileRowText(sent.rows[0]!, true)).toBe('Waiting for Bob to accept…');
    expect([sent.awaitingAnswer, sent.cancellable]).toEqual([false, true]);
    bob.files.accept(got);
    await until(() => got.rows[0]?.state === 'ready' && sent.rows[0]?.state === 'delivered');
    expect([got.awaitingAnswer, got.url?.startsWith('blob:')]).toEqual([false, true]);
  });

  it('declined: "Bob declined" on the sender\'s entry, nothing kept on Bob\'s, and it does not count toward the cap', async () => {
    const { alice, others } = call(['Bob'], {}, { files: 1, bytes: 1_000_000 }, ['Bob']);
    const bob = others[0]!.log;
    alice.sendFile(file(5000, 'unwanted.exe'));
    const sent = fileOf(alice);
    await until(() => bob.entries.at(-1)?.file?.awaitingAnswer === true);
    const got = fileOf(bob);
    bob.files.decline(got);
    await until(() => sent.rows[0]?.state === 'declined');
    expect(fileRowText(sent.rows[0]!, true)).toBe('Bob declined');
    expect([fileRowText(got.rows[0]!, false), got.url, got.awaitingAnswer, got.cancellable]).toEqual(['You declined it', null, false, false]);
    // The one place in this call is still free.
    alice.sendFile(file(10, 'wanted.txt'));
    const next = fileOf(alice);
    await until(() => fileOf(bob) !== got && fileOf(bob).awaitingAnswer);
    bob.files.accept(fileOf(bob));
    await until(() => next.rows[0]?.state === 'delivered');
  });

  it('an offer the chat drops before anyone answers it is declined', async () => {
    const { alice, others } = call(['Bob'], {}, undefined, ['Bob']);
    const bob = others[0]!.log;
    alice.sendFile(file(10));
    const sent = fileOf(alice);
    await until(() => sent.rows[0]?.state === 'asking');
    for (let i = 0; i < CHAT_HISTORY_LIMIT; i++) bob.send(`message ${i}`);
    await until(() => sent.rows[0]?.state === 'declined');
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
