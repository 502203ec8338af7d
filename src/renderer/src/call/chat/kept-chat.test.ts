import { describe, expect, it } from 'vitest';
import { fakePeerConnection } from '../../test-support/fake-data-channel.js';
import { fileRowText } from '../../screens/call/file-text.js';
import { CHAT_VERSION, ChatChannel, MAX_CHAT_TEXT } from './chat.js';
import { CHAT_HISTORY_LIMIT, ChatLog, type ChatEntry } from './chat.svelte.js';
import { FileItem, type FileRow } from './file-transfers.svelte.js';
import { afterReload, keepChat, keptChatSchema, restoredEntries, type KeptChat } from './kept-chat.js';

/** Alice's chat in a call with Bob, over an open fake channel. */
function chatWithBob() {
  const log = new ChatLog(() => undefined);
  const { pc, channels } = fakePeerConnection();
  log.attach(new ChatChannel(pc), 'Bob');
  const dc = channels.get('chat')!;
  dc.open();
  return { log, dc };
}
const fromBob = (seq: number, text: string) => JSON.stringify({ v: CHAT_VERSION, type: 'chat', id: `b${seq}`, seq, text, sentAt: 1000 + seq });
const ackOf = (sent: string) => JSON.stringify({ v: CHAT_VERSION, type: 'ack', id: (JSON.parse(sent) as { id: string }).id });

/** Through JSON and back through the schema, as sessionStorage keeps it and the reloaded window reads it. */
const throughStorage = (kept: KeptChat): KeptChat => keptChatSchema.parse(JSON.parse(JSON.stringify(kept)));

/** A new window's chat with what was kept put back. */
function reloaded(kept: KeptChat): ChatLog {
  const log = new ChatLog(() => undefined);
  log.restore(restoredEntries(throughStorage(kept)), kept.unread, kept.open);
  return log;
}

const fileEntry = (item: FileItem, from: string): ChatEntry => ({ id: 0, from, mine: item.mine, text: '', sentAt: 5000, file: item });
const row = (state: FileRow['state'], percent = 0): FileRow => ({ key: 1, peer: 'Bob', state, percent });

describe('the chat kept across a reload', () => {
  it('messages come back in order with who sent them and when, with the unread count; one still waiting for its receipt is said unconfirmed', () => {
    const { log, dc } = chatWithBob();
    log.send('hello Bob');
    dc.deliver(ackOf(dc.sent[0]!));
    dc.deliver(fromBob(1, 'hi Alice'));
    log.send('are you there?');
    const back = reloaded(keepChat(log));
    expect(back.entries.map((e) => [e.from, e.mine, e.text, e.delivery])).toEqual([
      ['You', true, 'hello Bob', 'delivered'],
      ['Bob', false, 'hi Alice', undefined],
      ['You', true, 'are you there?', 'unconfirmed'],
    ]);
    expect(back.entries.map((e) => e.sentAt)).toEqual(log.entries.map((e) => e.sentAt));
    expect([back.unread, back.open, back.chatted]).toEqual([1, false, true]);
    // Each entry has an id of its own in the new window.
    expect(new Set(back.entries.map((e) => e.id)).size).toBe(3);
  });

  it('an open panel comes back open, with nothing unread', () => {
    const { log, dc } = chatWithBob();
    log.setOpen(true);
    dc.deliver(fromBob(1, 'seen'));
    const back = reloaded(keepChat(log));
    expect([back.open, back.unread]).toEqual([true, 0]);
  });

  it('files come back as rows saying what became of them: one under way was cut off, one received is no longer there to save', () => {
    const { log } = chatWithBob();
    const sent = new FileItem('f1', 'plan.pdf', 2000, true, [row('delivered', 100)]);
    const sending = new FileItem('f2', 'video.mp4', 9_000_000, true, [row('sending', 40)]);
    const received = new FileItem('f3', 'notes.txt', 300, false, [row('ready', 100)]);
    received.url = 'blob:http://localhost/gone';
    const receiving = new FileItem('f4', 'big.zip', 9_000_000, false, [row('receiving', 10)]);
    const tooBig = new FileItem('f5', 'huge.iso', 5e9, true, []);
    tooBig.overLimit = 1e8;
    log.entries = [fileEntry(sent, 'You'), fileEntry(sending, 'You'), fileEntry(received, 'Bob'), fileEntry(receiving, 'Bob'), fileEntry(tooBig, 'You')];
    const files = reloaded(keepChat(log)).entries.map((e) => e.file!);
    expect(files.map((f) => [f.name, f.size, f.mine, f.rows.map((r) => r.state)])).toEqual([
      ['plan.pdf', 2000, true, ['delivered']],
      ['video.mp4', 9_000_000, true, ['interrupted']],
      ['notes.txt', 300, false, ['interrupted']],
      ['big.zip', 9_000_000, false, ['interrupted']],
      ['huge.iso', 5e9, true, []],
    ]);
    expect(files[4]!.overLimit).toBe(1e8);
    // Nothing to save, nothing to cancel: the bytes did not survive the reload.
    expect(files.every((f) => f.url === null && !f.cancellable)).toBe(true);
    expect(fileRowText(files[1]!.rows[0]!, true)).toBe('Stopped when Parley reloaded: send it again if it is still needed');
    expect(fileRowText(files[2]!.rows[0]!, false)).toBe('Not kept when Parley reloaded: ask Bob to send it again');
  });

  it('what comes back goes before anything new, within the history limit', () => {
    const log = new ChatLog(() => undefined);
    log.entries = [{ id: 1, from: 'Bob', mine: false, text: 'new', sentAt: 9 }];
    log.restore(
      Array.from({ length: CHAT_HISTORY_LIMIT }, (_, i) => ({ from: 'Bob', mine: false, text: `old ${i}`, sentAt: i })),
      0,
      false,
    );
    expect(log.entries).toHaveLength(CHAT_HISTORY_LIMIT);
    expect(log.entries.at(-1)?.text).toBe('new');
    expect(log.entries[0]?.text).toBe('old 1');
  });

  it('a row keeps a state it had finished in, except a received file ready to save', () => {
    expect(afterReload('delivered', true)).toBe('delivered');
    expect(afterReload('cancelled', false)).toBe('cancelled');
    expect(afterReload('too-large', true)).toBe('too-large');
    expect(afterReload('ready', false)).toBe('interrupted');
    expect(afterReload('checking', true)).toBe('interrupted');
    expect(afterReload('preparing', true)).toBe('interrupted');
    expect(afterReload('offered', false)).toBe('interrupted');
  });

  it.each([
    ['a message over the length limit', { entries: [{ from: 'Bob', mine: false, text: 'x'.repeat(MAX_CHAT_TEXT + 1), sentAt: 1 }], unread: 0, open: false }],
    ['an unknown delivery state', { entries: [{ from: 'Bob', mine: true, text: 'x', sentAt: 1, delivery: 'read' }], unread: 0, open: false }],
    ['an unknown file state', { entries: [{ from: 'Bob', mine: false, text: '', sentAt: 1, file: { id: 'f', name: 'a', size: 1, mine: false, rows: [{ key: 1, peer: 'Bob', state: 'teleported' }], overLimit: null } }], unread: 0, open: false }],
    ['a negative unread count', { entries: [], unread: -1, open: false }],
    ['more entries than a call keeps', { entries: Array.from({ length: CHAT_HISTORY_LIMIT + 1 }, () => ({ from: 'Bob', mine: false, text: 'x', sentAt: 1 })), unread: 0, open: false }],
  ])('refuses %s', (_, value) => {
    expect(keptChatSchema.safeParse(value).success).toBe(false);
  });
});
