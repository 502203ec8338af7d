import { afterEach, describe, expect, it, vi } from 'vitest';
import { Recorder, alone, bytes, control, offerOf, outgoing, pair, sameBytes, until } from '../../test-support/file-peers.js';
import { ANSWER_TIMEOUT_MS, FILES_CHANNEL_ID, FRAME_BYTES, MB, frame } from './file-wire.js';

afterEach(() => void vi.useRealTimers());

describe('a file between two peers', () => {
  it('arrives intact, in frames of at most 64 KiB on the files channel (stream 1), with progress on both sides', async () => {
    const { alice, aliceHears, bobHears, a } = pair();
    expect(a.get('files')?.init).toMatchObject({ negotiated: true, id: FILES_CHANNEL_ID, ordered: true });
    const data = bytes(3 * MB + 12_345);
    alice.files.send(await outgoing(data));
    await until(() => aliceHears.last('out') === 'delivered');
    expect(bobHears.offers).toEqual([[{ id: 'f1', name: 'data.bin', size: data.byteLength, sentAt: 1 }, { state: 'receiving', bytes: 0 }]]);
    expect(bobHears.states('in')).toEqual(['checking', 'ready']);
    expect(await sameBytes(bobHears.blob(), data)).toBe(true);
    expect(aliceHears.states('out')).toEqual(['queued', 'offered', 'sending', 'checking', 'delivered']);
    // Progress: many steps, never backwards, up to every byte.
    for (const side of [aliceHears.bytes('out'), bobHears.bytes('in')]) {
      expect(side.length).toBeGreaterThan(10);
      expect(side).toEqual([...side].sort((x, y) => x - y));
      expect(side.at(-1)).toBe(data.byteLength);
    }
    const frames = a.get('files')!.frames;
    expect(Math.max(...frames.map((f) => f.byteLength))).toBeLessThanOrEqual(FRAME_BYTES);
    // The chat channel carried only the offer and the check, never bytes.
    expect(control(a.get('chat')!).map((m) => m.type)).toEqual(['file-offer']);
  });

  it('pauses while the channel\'s buffer is full, so memory stays flat for a big file', async () => {
    const { alice, aliceHears, a } = pair();
    const files = a.get('files')!;
    let most = 0;
    const send = files.send.bind(files);
    files.send = (data) => {
      send(data);
      most = Math.max(most, files.bufferedAmount);
    };
    alice.files.send(await outgoing(bytes(12 * MB)));
    await until(() => aliceHears.last('out') === 'delivered', 10_000);
    expect(most).toBeGreaterThan(MB);
    expect(most).toBeLessThanOrEqual(2 * MB + FRAME_BYTES);
  });

  it('sends several files one after another, and an empty one too, though the bytes lag behind the chat channel', async () => {
    const { alice, aliceHears, bobHears, a } = pair();
    a.get('files')!.delayMs = 5; // an offer sent after a file's last frame could overtake it
    const files = [bytes(200_000), new Uint8Array(0), bytes(70_000)];
    for (const [i, data] of files.entries()) alice.files.send(await outgoing(data, `f${i}`, `file${i}.bin`));
    await until(() => files.every((_, i) => aliceHears.last('out', `f${i}`) === 'delivered'));
    for (const [i, data] of files.entries()) expect(await sameBytes(bobHears.blob(`f${i}`), data)).toBe(true);
  });

  it('a file over the receiver\'s limit is refused before any byte goes, and both sides say so', async () => {
    const { alice, aliceHears, bobHears, a } = pair();
    bobHears.max = 100_000;
    alice.files.send(await outgoing(bytes(100_001)));
    await until(() => aliceHears.last('out') === 'too-large');
    expect(aliceHears.events.at(-1)?.[2]).toEqual({ state: 'too-large', max: 100_000 });
    expect(bobHears.offers[0]?.[1]).toEqual({ state: 'too-large', max: 100_000 });
    expect(a.get('files')!.frames).toEqual([]);
  });

  it('a damaged file is not handed on: both sides are told', async () => {
    const { alice, aliceHears, bobHears, a } = pair();
    a.get('files')!.tamper = (data) => {
      const copy = new Uint8Array(data.slice(0));
      copy[copy.length - 1]! ^= 1;
      return copy.buffer;
    };
    alice.files.send(await outgoing(bytes(1000)));
    await until(() => aliceHears.last('out') === 'damaged');
    expect(bobHears.states('in')).toEqual(['checking', 'damaged']);
    expect(bobHears.blob()).toBeUndefined();
  });

  it('the sender cancels: the receiver is told and keeps nothing', async () => {
    const { alice, aliceHears, bobHears } = pair();
    alice.files.send(await outgoing(bytes(8 * MB)));
    await until(() => bobHears.bytes('in').some((b) => b > 0));
    alice.files.cancel('f1');
    await until(() => bobHears.last('in') === 'peer-cancelled');
    expect(aliceHears.last('out')).toBe('cancelled');
    const got = bobHears.bytes('in').at(-1)!;
    await new Promise((r) => setTimeout(r, 50));
    expect(bobHears.bytes('in').at(-1)).toBe(got); // frames still in flight were dropped
    expect(bobHears.blob()).toBeUndefined();
  });

  it('the receiver cancels: the sender stops and is told', async () => {
    const { alice, bob, aliceHears, bobHears, a } = pair();
    alice.files.send(await outgoing(bytes(8 * MB)));
    await until(() => bobHears.bytes('in').some((b) => b > 0));
    bob.files.cancel('f1');
    expect(bobHears.last('in')).toBe('cancelled');
    await until(() => aliceHears.last('out') === 'peer-cancelled');
    const frames = a.get('files')!.frames.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(a.get('files')!.frames.length).toBe(frames);
  });

  it('the connection closing fails what was going and coming', async () => {
    const { alice, aliceHears, bobHears, a, b } = pair();
    alice.files.send(await outgoing(bytes(8 * MB)));
    await until(() => bobHears.bytes('in').some((x) => x > 0));
    a.get('files')!.lost();
    b.get('files')!.lost();
    expect(aliceHears.last('out')).toBe('failed');
    expect(bobHears.last('in')).toBe('failed');
  });
});

describe('what the receiver does not trust', () => {
  const bobAlone = () => alone();

  it('bytes beyond the size offered end the transfer', async () => {
    const { hears, peerSays, peerFrames, said } = bobAlone();
    peerSays(await offerOf(new Uint8Array(10)));
    peerFrames(frame(1, new Uint8Array(11)));
    expect(hears.last('in')).toBe('failed');
    expect(said().map((m) => m.type)).toEqual(['file-accept', 'file-cancel']);
  });

  it('frames of a transfer it does not know are dropped', async () => {
    const { hears, peerSays, peerFrames } = bobAlone();
    peerFrames(frame(7, new Uint8Array(5)));
    peerSays(await offerOf(new Uint8Array(4)));
    peerFrames(frame(2, new Uint8Array(4)));
    expect(hears.bytes('in')).toEqual([]);
    peerFrames(frame(1, new Uint8Array(4)));
    await until(() => hears.last('in') === 'ready');
  });

  it('one file at a time from a peer: a second offer meanwhile is refused as busy', async () => {
    const { hears, peerSays, said } = bobAlone();
    peerSays(await offerOf(new Uint8Array(10)));
    peerSays(await offerOf(new Uint8Array(10), 'f2', 2));
    expect(said().at(-1)).toMatchObject({ type: 'file-refuse', reason: 'busy' });
    expect(hears.offers.map(([f, u]) => [f.id, u.state])).toEqual([['f1', 'receiving'], ['f2', 'busy']]);
  });

  it('the name offered is made safe before anyone sees it', async () => {
    const { hears, peerSays } = bobAlone();
    peerSays({ ...(await offerOf(new Uint8Array(1))), name: '../secret\u202Eexe.txt' });
    expect(hears.offers[0]?.[0].name).toBe('_secretexe.txt');
  });
});

describe('a peer whose Parley does not know files', () => {
  it('says nothing to an offer: after ANSWER_TIMEOUT_MS the sender is told it cannot receive files, and the next file at once', () => {
    vi.useFakeTimers();
    const { me: alice, hears, channels } = alone(new Recorder()); // open, but nobody answers
    const file = { id: 'f1', name: 'a.txt', size: 1, sha256: 'a'.repeat(64), sentAt: 1, data: new Blob(['a']) };
    alice.files.send(file);
    alice.files.send({ ...file, id: 'f2' });
    vi.advanceTimersByTime(ANSWER_TIMEOUT_MS - 1);
    expect(hears.last('out')).toBe('offered');
    vi.advanceTimersByTime(1);
    expect([hears.last('out'), hears.last('out', 'f2')]).toEqual(['unsupported', 'unsupported']);
    alice.files.send({ ...file, id: 'f3' });
    expect(hears.last('out', 'f3')).toBe('unsupported');
    // Only the first offer went out; nothing was sent on the files channel.
    expect(control(channels.get('chat')!).map((m) => m.type)).toEqual(['file-offer']);
    expect(channels.get('files')!.frames).toEqual([]);
  });
});
