import { afterEach, describe, expect, it, vi } from 'vitest';
import { Recorder, alone, bytes, control, offerOf, outgoing, pair, sameBytes, until } from '../../test-support/file-peers.js';
import { DEFAULT_SETTINGS } from '../../settings/settings.js';
import { AUTO_ACCEPT_CHOICES_MB, CONSENT_TIMEOUT_MS, SENDER_CONSENT_MS, SHORT_CONSENT_MS, autoAcceptWords, consentWindow, fileRules, takenUnasked } from './file-consent.js';
import { ANSWER_TIMEOUT_MS, MB, frame } from './file-wire.js';

afterEach(() => void vi.useRealTimers());

/** A file whose bytes are never read: for tests that stop before any is sent. */
const unread = (id = 'f1') => ({ id, name: 'a.txt', size: 5000, sha256: 'a'.repeat(64), sentAt: 1, data: new Blob(['a']) });

describe('what is taken without asking', () => {
  it('by default nothing: every file, even an empty one, waits for the person', () => {
    expect(DEFAULT_SETTINGS.fileAutoAcceptMB).toBe(0);
    const rules = fileRules(() => DEFAULT_SETTINGS);
    expect([rules.limit(), rules.autoAccept()]).toEqual([100 * MB, 0]);
    expect(takenUnasked(0, rules.autoAccept())).toBe(false);
    expect(takenUnasked(1, rules.autoAccept())).toBe(false);
  });

  it('with an auto-accept size, files at or below it, not one byte more', () => {
    const rules = fileRules(() => ({ fileLimitMB: 10, fileAutoAcceptMB: 1 }));
    expect(rules.autoAccept()).toBe(MB);
    expect([takenUnasked(0, MB), takenUnasked(MB, MB), takenUnasked(MB + 1, MB)]).toEqual([true, true, false]);
  });

  it('Settings offers "Never" first, then a few small sizes', () => {
    expect(AUTO_ACCEPT_CHOICES_MB[0]).toBe(0);
    expect(AUTO_ACCEPT_CHOICES_MB.map(autoAcceptWords)).toEqual(['Never: always ask', 'Files up to 1 MB', 'Files up to 5 MB', 'Files up to 10 MB', 'Files up to 25 MB']);
  });

  it('a sender that waits gets two minutes of the person\'s time; an older one, less than its own 8 s', () => {
    expect(consentWindow({ waits: true })).toBe(CONSENT_TIMEOUT_MS);
    expect(CONSENT_TIMEOUT_MS).toBe(120_000);
    expect(consentWindow({})).toBe(SHORT_CONSENT_MS);
    expect(SHORT_CONSENT_MS).toBeLessThan(ANSWER_TIMEOUT_MS);
    expect(SENDER_CONSENT_MS).toBeGreaterThan(CONSENT_TIMEOUT_MS);
  });
});

describe('a file the receiver is asked about', () => {
  it('is not received until accepted: no frame goes, then it arrives intact', async () => {
    const { alice, bob, aliceHears, bobHears, a, b } = pair({ bobAuto: 0 });
    const data = bytes(300_000);
    alice.files.send(await outgoing(data));
    await until(() => aliceHears.last('out') === 'asking');
    expect(bobHears.offers).toEqual([[{ id: 'f1', name: 'data.bin', size: data.byteLength, sentAt: 1 }, { state: 'asking' }]]);
    expect(control(a.get('chat')!)).toEqual([expect.objectContaining({ type: 'file-offer', waits: true })]);
    expect(control(b.get('chat')!).map((m) => m.type)).toEqual(['file-asking']);
    // A while later: still waiting, and nothing sent.
    await new Promise((r) => setTimeout(r, 30));
    expect([aliceHears.last('out'), a.get('files')!.frames.length, bobHears.events]).toEqual(['asking', 0, []]);
    bob.files.accept('f1');
    await until(() => aliceHears.last('out') === 'delivered');
    expect(await sameBytes(bobHears.blob(), data)).toBe(true);
    expect(aliceHears.states('out')).toEqual(['queued', 'offered', 'asking', 'sending', 'checking', 'delivered']);
    expect(bobHears.states('in')).toEqual(['receiving', 'checking', 'ready']);
  });

  it('declined: the sender is told, no byte goes, nothing is kept, and its next file is offered', async () => {
    const { alice, bob, aliceHears, bobHears, a, b } = pair({ bobAuto: 0 });
    alice.files.send(await outgoing(bytes(5000)));
    alice.files.send(await outgoing(bytes(10), 'f2'));
    await until(() => aliceHears.last('out') === 'asking');
    bob.files.decline('f1');
    expect(bobHears.last('in')).toBe('declined');
    await until(() => aliceHears.last('out') === 'declined');
    // The next file may be offered (and asked about) by now: the refusal need not be the last message.
    expect(control(b.get('chat')!)).toContainEqual(expect.objectContaining({ type: 'file-refuse', reason: 'declined' }));
    expect([a.get('files')!.frames, bobHears.blob()]).toEqual([[], undefined]);
    // Accepting afterwards does nothing.
    bob.files.accept('f1');
    await until(() => aliceHears.last('out', 'f2') === 'asking');
    expect(aliceHears.last('out')).toBe('declined');
    expect(a.get('files')!.frames).toEqual([]);
  });

  it('a file at or below the auto-accept size comes at once, without asking', async () => {
    const { alice, aliceHears, bobHears, b } = pair({ bobAuto: 1000 });
    alice.files.send(await outgoing(bytes(1000)));
    await until(() => aliceHears.last('out') === 'delivered');
    expect(bobHears.offers[0]?.[1]).toEqual({ state: 'receiving', bytes: 0 });
    expect(control(b.get('chat')!).map((m) => m.type)).toEqual(['file-accept', 'file-received']);
  });

  it('the sender cancels while it waits: the receiver is told, and its offer does not expire later', () => {
    vi.useFakeTimers();
    const { alice, aliceHears, bobHears, b } = pair({ bobAuto: 0 });
    for (const dc of [...b.values()]) dc.open();
    alice.files.send(unread());
    vi.advanceTimersByTime(10);
    expect([aliceHears.last('out'), bobHears.offers[0]?.[1].state]).toEqual(['asking', 'asking']);
    alice.files.cancel('f1');
    vi.advanceTimersByTime(10);
    expect([aliceHears.last('out'), bobHears.last('in')]).toEqual(['cancelled', 'peer-cancelled']);
    vi.advanceTimersByTime(SENDER_CONSENT_MS);
    expect(control(b.get('chat')!).map((m) => m.type)).toEqual(['file-asking']);
  });

  it('expires when nobody answers: both sides say so, and a late Accept takes nothing', () => {
    vi.useFakeTimers();
    const { alice, bob, aliceHears, bobHears, a, b } = pair({ bobAuto: 0 });
    for (const dc of [...b.values()]) dc.open();
    alice.files.send(unread());
    vi.advanceTimersByTime(CONSENT_TIMEOUT_MS - 1);
    expect([aliceHears.last('out'), bobHears.events]).toEqual(['asking', []]);
    vi.advanceTimersByTime(10);
    expect([bobHears.last('in'), aliceHears.last('out')]).toEqual(['expired', 'expired']);
    expect(control(b.get('chat')!).at(-1)).toMatchObject({ type: 'file-refuse', reason: 'expired' });
    bob.files.accept('f1');
    expect(control(b.get('chat')!).map((m) => m.type)).toEqual(['file-asking', 'file-refuse']);
    expect(a.get('files')!.frames).toEqual([]);
  });

  it('a receiver that asks and then falls silent: the sender gives up after SENDER_CONSENT_MS and says the offer expired', () => {
    vi.useFakeTimers();
    const { me: alice, hears, peerSays, said } = alone(new Recorder());
    alice.files.send(unread());
    peerSays({ type: 'file-asking', id: 'f1' });
    vi.advanceTimersByTime(ANSWER_TIMEOUT_MS); // the 8 s of a peer that does not know files no longer count
    expect(hears.last('out')).toBe('asking');
    vi.advanceTimersByTime(SENDER_CONSENT_MS - ANSWER_TIMEOUT_MS);
    expect(hears.last('out')).toBe('expired');
    expect(said().map((m) => m.type)).toEqual(['file-offer', 'file-cancel']);
  });

  it('an asking for a file it did not offer, or one not waiting for an answer, changes nothing', async () => {
    const { me: alice, hears, peerSays } = alone(new Recorder());
    peerSays({ type: 'file-asking', id: 'nobody-offered-this' });
    alice.files.send(await outgoing(bytes(10)));
    peerSays({ type: 'file-accept', id: 'f1' });
    await until(() => hears.last('out') === 'checking');
    peerSays({ type: 'file-asking', id: 'f1' });
    expect(hears.states('out')).toEqual(['queued', 'offered', 'sending', 'checking']);
  });
});

describe('what a receiver that asks does not trust', () => {
  const asking = () => alone(new Recorder(1000, 0));

  it('frames sent before it accepted are dropped: the file counts only what came after', async () => {
    const { me: bob, hears, peerSays, peerFrames, said } = asking();
    const data = new Uint8Array(8).fill(3);
    peerSays(await offerOf(data, 'f1', 1, { waits: true }));
    peerFrames(frame(1, data));
    expect(hears.bytes('in')).toEqual([]);
    bob.files.accept('f1');
    peerFrames(frame(1, data));
    await until(() => hears.last('in') === 'ready');
    expect(said().map((m) => m.type)).toEqual(['file-asking', 'file-accept', 'file-received']);
  });

  it('an offer meanwhile is refused as busy; the one asked about still waits', async () => {
    const { hears, peerSays, said } = asking();
    peerSays(await offerOf(new Uint8Array(10), 'f1', 1, { waits: true }));
    peerSays(await offerOf(new Uint8Array(10), 'f2', 2, { waits: true }));
    expect(said().at(-1)).toMatchObject({ type: 'file-refuse', reason: 'busy' });
    expect(hears.offers.map(([f, u]) => [f.id, u.state])).toEqual([['f1', 'asking'], ['f2', 'busy']]);
  });

  it('the call\'s cap is checked when it is offered and again when it is accepted', async () => {
    const { me: bob, hears, peerSays, said } = asking();
    hears.room = 0;
    peerSays(await offerOf(new Uint8Array(10), 'f1', 1, { waits: true }));
    expect(hears.offers[0]?.[1]).toEqual({ state: 'call-full' });
    hears.room = 1;
    peerSays(await offerOf(new Uint8Array(10), 'f2', 2, { waits: true }));
    hears.room = 0; // another peer's file took the last place meanwhile
    bob.files.accept('f2');
    expect(hears.last('in', 'f2')).toBe('call-full');
    expect(said().map((m) => [m.type, m.reason])).toEqual([
      ['file-refuse', 'call-full'],
      ['file-asking', undefined],
      ['file-refuse', 'call-full'],
    ]);
  });

  it('an older sender (no `waits`) is not told it asks, and its offer expires before that sender gives up', async () => {
    vi.useFakeTimers();
    const { hears, peerSays, said } = asking();
    peerSays(await offerOf(new Uint8Array(10)));
    expect(said()).toEqual([]);
    vi.advanceTimersByTime(SHORT_CONSENT_MS);
    expect(hears.last('in')).toBe('expired');
    expect(said()).toEqual([expect.objectContaining({ type: 'file-refuse', reason: 'expired' })]);
  });

  it('the connection closing while it asks: failed, and nothing said later', async () => {
    vi.useFakeTimers();
    const { hears, channels, peerSays, said } = asking();
    peerSays(await offerOf(new Uint8Array(10), 'f1', 1, { waits: true }));
    channels.get('files')!.lost();
    expect(hears.last('in')).toBe('failed');
    vi.advanceTimersByTime(CONSENT_TIMEOUT_MS);
    expect(said().map((m) => m.type)).toEqual(['file-asking']);
  });
});
