import { describe, expect, it } from 'vitest';
import { ChatChannel, chatText, MAX_CHAT_TEXT, parseChatWire, type ChatWire } from './chat.js';
import { ChatLog } from './chat.svelte.js';

/** The part of RTCDataChannel ChatChannel uses, recording what is sent. */
class FakeDataChannel {
  readyState: RTCDataChannelState = 'connecting';
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly label: string, readonly init: RTCDataChannelInit) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
  deliver(data: unknown): void {
    this.onmessage?.({ data });
  }
}

function channel(): { chat: ChatChannel; dc: FakeDataChannel } {
  let dc: FakeDataChannel | undefined;
  const pc = {
    createDataChannel: (label: string, init: RTCDataChannelInit) => (dc = new FakeDataChannel(label, init)),
  } as unknown as RTCPeerConnection;
  const chat = new ChatChannel(pc);
  return { chat, dc: dc! };
}

const wire = (seq: number, text = `m${seq}`): string => JSON.stringify({ type: 'chat', seq, text, sentAt: 1000 + seq });

describe('chat messages on the wire', () => {
  it('accepts a well-formed message', () => {
    expect(parseChatWire(wire(1, 'hello'))).toEqual({ type: 'chat', seq: 1, text: 'hello', sentAt: 1001 });
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
