import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_TIMEOUT_MS, ChatChannel, chatText, MAX_CHAT_TEXT, parseChatWire, type ChatWire } from './chat.js';
import { ChatLog } from './chat.svelte.js';
import { fakePeerConnection, type FakeDataChannel } from '../../test-support/fake-data-channel.js';

function channel(): { chat: ChatChannel; dc: FakeDataChannel } {
  const { pc, channels } = fakePeerConnection();
  const chat = new ChatChannel(pc);
  return { chat, dc: channels.get('chat')! };
}

/** A version 1 message (older Parley: no version, no id, no receipt). */
const wire = (seq: number, text = `m${seq}`): string => JSON.stringify({ type: 'chat', seq, text, sentAt: 1000 + seq });
/** A version 2 message. */
const wire2 = (seq: number, text = `m${seq}`, extra: object = {}): string => JSON.stringify({ v: 2, type: 'chat', id: `id${seq}`, seq, text, sentAt: 1000 + seq, ...extra });
const ack = (id: string): string => JSON.stringify({ v: 2, type: 'ack', id });
const parsed = (data: string[]) => data.map((d) => JSON.parse(d) as Record<string, unknown>);

describe('chat messages on the wire', () => {
  it('accepts a well-formed message of version 1 and of version 2, and a receipt', () => {
    expect(parseChatWire(wire(1, 'hello'))).toEqual({ type: 'chat', seq: 1, text: 'hello', sentAt: 1001 });
    expect(parseChatWire(wire2(1, 'hello'))).toEqual({ v: 2, type: 'chat', id: 'id1', seq: 1, text: 'hello', sentAt: 1001 });
    expect(parseChatWire(ack('id1'))).toEqual({ v: 2, type: 'ack', id: 'id1' });
  });

  it('from version 2 on, ignores fields it does not know (a later version may add some)', () => {
    expect(parseChatWire(wire2(1, 'x', { v: 3, reply: 'id0' }))).toMatchObject({ v: 3, id: 'id1', text: 'x' });
  });

  it.each([
    ['a version 2 message without an id', JSON.stringify({ v: 2, type: 'chat', seq: 1, text: 'x', sentAt: 1 })],
    ['a version below 2 that says so', JSON.stringify({ v: 1, type: 'chat', id: 'a', seq: 1, text: 'x', sentAt: 1 })],
    ['a receipt without an id', JSON.stringify({ v: 2, type: 'ack' })],
    ['an over-long id', ack('x'.repeat(65))],
  ])('refuses %s', (_, data) => {
    expect(parseChatWire(data)).toBeNull();
  });

  it.each([
    ['not text', new ArrayBuffer(4)],
    ['not JSON', '{chat'],
    ['an unknown type', JSON.stringify({ type: 'file', seq: 1, text: 'x', sentAt: 1 })],
    ['an extra field', JSON.stringify({ type: 'chat', seq: 1, text: 'x', sentAt: 1, html: '<b>' })],
    ['an empty text', JSON.stringify({ type: 'chat', seq: 1, text: '', sentAt: 1 })],
    ['a text over the limit', JSON.stringify({ type: 'chat', seq: 1, text: 'x'.repeat(MAX_CHAT_TEXT + 1), sentAt: 1 })],
    ['a huge frame', 'x'.repeat(1_000_000)],
    ['a sequence number of 0', JSON.stringify({ type: 'chat', seq: 0, text: 'x', sentAt: 1 })],
    ['a fractional sequence number', JSON.stringify({ type: 'chat', seq: 1.5, text: 'x', sentAt: 1 })],
  ])('refuses %s', (_, data) => {
    expect(parseChatWire(data)).toBeNull();
  });

  it('trims what is typed and refuses empty or over-long messages', () => {
    expect(chatText('  hi  ')).toBe('hi');
    expect(chatText('   ')).toBeNull();
    expect(chatText('x'.repeat(MAX_CHAT_TEXT + 1))).toBeNull();
  });
});

describe('ChatChannel', () => {
  it('is a negotiated, ordered data channel, so both sides have it from the start', () => {
    const { dc } = channel();
    expect(dc.init).toMatchObject({ negotiated: true, id: 0, ordered: true });
  });

  it('keeps messages sent before the channel opens and sends them in order when it does', () => {
    const { chat, dc } = channel();
    chat.send('one', 1);
    chat.send('two', 2);
    expect(dc.sent).toEqual([]);
    dc.open();
    chat.send('three', 3);
    expect(dc.sent.map((d) => (JSON.parse(d) as ChatWire).text)).toEqual(['one', 'two', 'three']);
    expect(dc.sent.map((d) => (JSON.parse(d) as ChatWire).seq)).toEqual([1, 2, 3]);
    expect(parsed(dc.sent).map((m) => m.v)).toEqual([2, 2, 2]);
    expect(new Set(parsed(dc.sent).map((m) => m.id)).size).toBe(3);
  });

  it('acknowledges every version 2 message by its id, and no version 1 message', () => {
    const { chat, dc } = channel();
    chat.onMessage(() => undefined);
    dc.open();
    dc.deliver(wire2(1));
    dc.deliver(wire(2));
    dc.deliver(wire2(1)); // a repeat is acknowledged again, and not shown
    expect(parsed(dc.sent)).toEqual([{ v: 2, type: 'ack', id: 'id1' }, { v: 2, type: 'ack', id: 'id1' }]);
  });

  it('hands on valid messages in order and drops repeats and malformed ones', () => {
    const { chat, dc } = channel();
    const got: string[] = [];
    chat.onMessage((m) => got.push(m.text));
    dc.open();
    dc.deliver(wire(1));
    dc.deliver(wire(1)); // repeated
    dc.deliver('{"type":"chat"}'); // malformed
    dc.deliver(wire(2));
    dc.deliver(wire(4)); // 3 never came: 4 is still shown
    dc.deliver(wire(3)); // late: older than what was shown
    expect(got).toEqual(['m1', 'm2', 'm4']);
  });
});

describe('the callee’s answered word (answer-word.ts)', () => {
  it('is sent as { v: 2, type: "answered" }, once the channel opens if it has not yet', () => {
    const { chat, dc } = channel();
    chat.sendAnswered();
    expect(dc.sent).toEqual([]);
    dc.open();
    expect(parsed(dc.sent)).toEqual([{ v: 2, type: 'answered' }]);
  });

  it('is heard by its listener, later versions too; it is not shown in the chat, gets no receipt, and a look-alike is not it', () => {
    const { chat, dc } = channel();
    let heard = 0;
    const shown: string[] = [];
    chat.onAnswered(() => heard++);
    chat.onMessage((m) => shown.push(m.text));
    dc.open();
    dc.deliver(JSON.stringify({ v: 2, type: 'answered' }));
    dc.deliver(JSON.stringify({ v: 3, type: 'answered', at: 1 }));
    for (const lookAlike of [{ type: 'answered' }, { v: 1, type: 'answered' }, { v: 2, type: 'answer' }, 'x'.repeat(300)]) dc.deliver(JSON.stringify(lookAlike));
    expect(heard).toBe(2);
    expect(shown).toEqual([]);
    expect(dc.sent).toEqual([]);
  });
});

describe('delivery receipts', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('a receipt marks a message delivered; no receipt within ACK_TIMEOUT_MS marks it not delivered', () => {
    const { chat, dc } = channel();
    const got: [string, string][] = [];
    chat.onDelivery((id, d) => got.push([id, d]));
    dc.open();
    chat.send('one', 1, 'a');
    chat.send('two', 2, 'b');
    dc.deliver(ack('a'));
    vi.advanceTimersByTime(ACK_TIMEOUT_MS - 1);
    expect(got).toEqual([['a', 'delivered']]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual([['a', 'delivered'], ['b', 'failed']]);
    dc.deliver(ack('b')); // too late: stays not delivered
    dc.deliver(ack('zz')); // never sent: ignored
    expect(got).toHaveLength(2);
  });

  it('the channel closing fails every message still waiting, at once', () => {
    const { chat, dc } = channel();
    const got: string[] = [];
    chat.onDelivery((id, d) => got.push(`${id}:${d}`));
    chat.send('queued before open', 1, 'q');
    dc.lost();
    expect(got).toEqual(['q:failed']);
  });
});

describe('ChatLog', () => {
  function peers(...names: string[]) {
    let notes = 0;
    const log = new ChatLog(() => notes++);
    const links = names.map((name) => {
      const c = channel();
      c.dc.open();
      log.attach(c.chat, name);
      return { name, ...c };
    });
    return { log, links, notes: () => notes };
  }

  it('shows messages both ways in order, counts unread while closed, and notes the first chat once', () => {
    const { log, links, notes } = peers('Bob');
    const bob = links[0]!;
    expect(log.send('hi Bob')).toBe(true);
    bob.dc.deliver(wire(1, 'hi Alice'));
    bob.dc.deliver(wire(2, 'how are you?'));
    expect(log.entries.map((e) => [e.from, e.mine, e.text])).toEqual([
      ['You', true, 'hi Bob'],
      ['Bob', false, 'hi Alice'],
      ['Bob', false, 'how are you?'],
    ]);
    expect(log.unread).toBe(2);
    expect(notes()).toBe(1);
    log.setOpen(true);
    expect(log.unread).toBe(0);
    bob.dc.deliver(wire(3, 'read at once'));
    expect(log.unread).toBe(0);
  });

  it('sends each message to every peer of a group call, and labels what comes back by sender', () => {
    const { log, links } = peers('Bob', 'Carol');
    log.send('hello all');
    for (const l of links) expect(l.dc.sent.map((d) => (JSON.parse(d) as ChatWire).text)).toEqual(['hello all']);
    links[1]!.dc.deliver(wire(1, 'hi from Carol'));
    expect(log.entries.at(-1)).toMatchObject({ from: 'Carol', text: 'hi from Carol' });
  });

  it('shows one\'s own message sending, then delivered when every peer acknowledged, or not delivered to whoever did not', () => {
    vi.useFakeTimers();
    const { log, links } = peers('Bob', 'Carol');
    log.send('hello all');
    const id = (parsed(links[0]!.dc.sent)[0]!.id as string);
    expect(parsed(links[1]!.dc.sent)[0]!.id).toBe(id);
    expect(log.entries.at(-1)).toMatchObject({ mine: true, delivery: 'sending' });
    links[0]!.dc.deliver(ack(id));
    expect(log.entries.at(-1)?.delivery).toBe('sending');
    vi.advanceTimersByTime(ACK_TIMEOUT_MS);
    expect(log.entries.at(-1)).toMatchObject({ delivery: 'failed', missing: ['Carol'] });
    log.send('again');
    for (const l of links) l.dc.deliver(ack(parsed(l.dc.sent).at(-1)!.id as string));
    expect(log.entries.at(-1)).toMatchObject({ delivery: 'delivered' });
    log.send('to one who leaves');
    log.detach(links[0]!.chat);
    links[1]!.dc.deliver(ack(parsed(links[1]!.dc.sent).at(-1)!.id as string));
    expect(log.entries.at(-1)).toMatchObject({ delivery: 'failed', missing: ['Bob'] });
    vi.useRealTimers();
  });

  it('sends nothing empty, nor with nobody to send to', () => {
    const { log } = peers('Bob');
    expect(log.send('   ')).toBe(false);
    expect(new ChatLog(() => undefined).send('anyone?')).toBe(false);
  });

  it('forgets everything when the call ends', () => {
    const { log, links } = peers('Bob');
    links[0]!.dc.deliver(wire(1));
    log.reset();
    expect([log.entries, log.unread, log.chatted]).toEqual([[], 0, false]);
    links[0]!.dc.deliver(wire(2)); // a late message from the old call is not shown
    expect(log.entries).toEqual([]);
  });
});
