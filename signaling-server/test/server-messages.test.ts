/**
 * The schemas clients check server messages with (src/protocol/server-messages.ts)
 * accept everything this server really sends: every event and every
 * acknowledgement, collected from real sessions.
 */
import { RTCPeerConnection } from 'werift';
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import { TokenService } from '../src/auth/tokens.js';
import {
  describeIssues,
  replySchemas,
  serverSchemas,
  type Ack,
  type ClientEvent,
  type ClientPayload,
  type ClientReplies,
} from '../src/protocol/index.js';
import { connect, expectOk, register, serverTokenSecret, settle, startTestServer, team, type Device } from './harness.js';
import { oggTone } from './voicemail-audio.js';
import { voicemailApi } from './voicemail-http.js';

const audio = { audio: true, video: false };
const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const LAPTOP = 'alice-laptop-0001';
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

describe('server message schemas', () => {
  it('accept, unchanged, every event and acknowledgement a real server sends', async () => {
    const server = await startTestServer({
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      turnSecret: 'a-turn-secret-of-enough-length',
      testCall: 'on',
    }, { testCallMaxMs: 2000 });
    const { alice, bob, carol, logins } = await team(server, 'alice', 'bob', 'carol');
    // bob's second device takes presence in batches (presence:changes), his first one change at a time.
    const bob2 = await connect(server, logins.bob, { presenceBatch: true });
    const replies: { event: ClientEvent; reply: unknown }[] = [];
    const ask = async <E extends ClientEvent>(d: Device, event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> => {
      const reply = await d.emit(event, payload);
      replies.push({ event, reply });
      return reply;
    };

    // Presence, directory and history, before any call.
    await ask(alice, 'presence:set', { status: 'away' });
    await ask(alice, 'directory:list', {});
    await ask(alice, 'presence:watch', { usernames: ['bob', 'carol', 'nobody'] });
    await ask(alice, 'history:list', {});
    await ask(alice, 'history:seen', {});

    // The network check and a test call: a werift offer, the echo's answer, its report; a second one runs out.
    await ask(alice, 'network:ice', {});
    const test = expectOk(await ask(alice, 'testcall:start', { delayMs: 1000 }));
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    await ask(alice, 'testcall:signal', { testId: test.testId, description: { type: 'offer', sdp: pc.localDescription?.sdp ?? '' } });
    await alice.next('testcall:signal', (p) => p.description !== undefined);
    await ask(alice, 'testcall:stop', { testId: test.testId });
    await pc.close();
    const runsOut = expectOk(await ask(alice, 'testcall:start', {}));
    await alice.next('testcall:ended', (p) => p.testId === runsOut.testId);

    // An answered call on one of two ringing devices, with negotiation and mute.
    const { callId } = expectOk(await ask(alice, 'call:invite', { to: 'bob', media: audio }));
    await bob2.next('call:incoming');
    await alice.next('call:ringing');
    await ask(bob, 'call:accept', { callId });
    await bob2.next('call:ended');
    await ask(alice, 'call:signal', { callId, description: offer });
    await ask(bob, 'call:signal', { callId, candidate });
    await ask(bob, 'call:signal', { callId, candidate: null });
    await ask(alice, 'call:ice', { callId });
    await ask(bob, 'call:mute', { callId, muted: true });
    await alice.next('call:muted');
    await ask(alice, 'call:hold', { callId, held: true });
    await bob.next('call:held');
    await ask(alice, 'call:swap', { callId }); // refused: bad_request (not a call held aside; hold-and-answer.test.ts swaps)
    await ask(bob, 'call:note', { callId, chat: true });
    await ask(bob, 'call:recording', { callId, on: true });
    await alice.next('call:recording');
    await ask(alice, 'call:invite', { to: 'alice', media: audio }); // refused: self_call
    await ask(alice, 'call:transfer', { callId, to: 'alice' }); // refused: self_call (transfer.test.ts transfers)
    await ask(alice, 'call:merge', { callId, with: callId }); // refused: bad_request (not held aside)
    replies.push({ event: 'call:mute', reply: await alice.emitRaw('call:mute', { callId }) }); // refused: bad_request
    await ask(alice, 'call:hangup', { callId });
    await bob.next('call:ended');

    // Declined, then cancelled, then read back from history.
    const declined = expectOk(await ask(alice, 'call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === declined);
    await ask(bob, 'call:decline', { callId: declined });
    const cancelled = expectOk(await ask(alice, 'call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === cancelled);
    await ask(alice, 'call:cancel', { callId: cancelled });
    await ask(bob, 'history:list', {});
    await ask(bob, 'directory:list', { query: 'a', limit: 2 });

    // A device that lost its connection resumes its call; a newer connection of it replaces the older.
    const laptop = await connect(server, logins.alice, { device: LAPTOP });
    const resumed = expectOk(await ask(laptop, 'call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === resumed);
    await ask(bob, 'call:accept', { callId: resumed });
    laptop.socket.disconnect();
    await bob.next('call:peer-connection', (p) => !p.connected);
    const laptop2 = await connect(server, logins.alice, { device: LAPTOP });
    await ask(laptop2, 'call:resume', { callId: resumed });
    await bob.next('call:peer-connection', (p) => p.connected);
    const laptop3 = await connect(server, logins.alice, { device: LAPTOP });
    await laptop2.next('session:replaced');
    await ask(laptop3, 'call:resume', { callId: resumed });
    await ask(bob, 'call:hangup', { callId: resumed });
    await ask(laptop3, 'call:resume', { callId: resumed }); // ended: state "ended"

    // Group calls: a named room with a join code, Add person, negotiation per pair, leaving.
    const room = expectOk(await ask(alice, 'room:join', { name: 'standup', code: 'sesame-42' })).callId;
    await ask(carol, 'room:join', { name: 'standup', code: 'wrong-code' }); // refused: wrong_code
    await ask(carol, 'room:join', { name: 'standup', code: 'sesame-42' });
    await alice.next('room:joined');
    await ask(carol, 'room:code', { callId: room, code: 'carols-code' }); // refused: not_owner
    await ask(alice, 'room:code', { callId: room, code: 'sesame-43' });
    // The team's rooms: standup with alice and carol in it; each change reached bob, who is not in it.
    await ask(bob, 'room:list', {});
    await bob.next('room:listing', (p) => p.room?.participants.length === 2);
    await ask(alice, 'call:signal', { callId: room, to: 'carol', description: offer });
    await carol.next('call:signal', (p) => p.callId === room);
    await ask(alice, 'call:recording', { callId: room, on: true });
    await carol.next('call:recording', (p) => p.callId === room);
    await ask(alice, 'call:add', { callId: room, to: 'bob' });
    await bob.next('call:incoming', (p) => p.callId === room);
    await carol.next('room:ringing');
    await ask(bob, 'call:accept', { callId: room });
    await bob2.next('call:ended', (p) => p.callId === room);
    await ask(carol, 'call:hangup', { callId: room });
    await alice.next('room:left');
    await ask(bob, 'call:hangup', { callId: room });
    await ask(alice, 'call:hangup', { callId: room });
    await ask(alice, 'history:list', {});

    // Voicemail: a message left for bob over HTTP, then heard.
    const left = bob.next('voicemail:new');
    expect((await voicemailApi(server, logins.alice.token).leave('bob', oggTone(440, 1))).status).toBe(201);
    const heardCount = bob.next('voicemail:unheard');
    expect((await voicemailApi(server, logins.bob.token).heard((await left).message.id)).status).toBe(204);
    await heardCount;

    // The live directory: an account registered, then disabled.
    await register(server, 'dave');
    await alice.next('directory:updated', (p) => p.user.username === 'dave');
    await new UserRepository(server.db).setDisabled('dave', true);
    await alice.next('directory:removed', (p) => p.username === 'dave');

    // Revocation, then shutdown with a call still ringing.
    await new UserRepository(server.db).setPassword('carol', 'a brand new password');
    await server.revocations.poll();
    await carol.next('session:revoked');
    // Refresh on use, then a sign-out: a device on a token near its end gets a fresh one, and signs out with it.
    const bobId = (await new UserRepository(server.db).find('bob'))?.id ?? '';
    const near = await new TokenService(await serverTokenSecret(server), 600).issue({ userId: bobId, username: 'bob', version: 0 });
    const bob3 = await connect(server, { ...logins.bob, token: near.token }, {}, []);
    const { token: refreshed } = await bob3.next('session:token');
    expect((await fetch(`${server.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${refreshed}` } })).status).toBe(204);
    await server.revocations.poll();
    await bob3.next('session:revoked', (p) => p.reason === 'signed-out');
    const last = expectOk(await ask(alice, 'call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === last);
    await settle(alice, bob, bob2, laptop3);
    await server.close();

    const received = [alice, bob, bob2, bob3, carol, laptop, laptop2, laptop3].flatMap((d) => d.received);
    for (const { event, payload } of received) {
      const result = serverSchemas[event].safeParse(payload);
      expect(result.error && describeIssues(result.error), event).toBeUndefined();
      expect(result.data, event).toEqual(payload);
    }
    // All but the SFU's, which need one configured (and a Janus): sfu.test.ts and sfu-mode.test.ts check those against the same schemas.
    const withoutSfu = (events: string[]) => new Set(events.filter((e) => !e.startsWith('sfu:') && e !== 'room:mode'));
    expect(new Set(received.map((r) => r.event))).toEqual(withoutSfu(Object.keys(serverSchemas)));

    for (const { event, reply } of replies) {
      const result = replySchemas[event].safeParse(reply);
      expect(result.error && describeIssues(result.error), event).toBeUndefined();
      expect(result.data, event).toEqual(reply);
    }
    expect(new Set(replies.map((r) => r.event))).toEqual(withoutSfu(Object.keys(replySchemas)));
    expect(replies.filter((r) => !(r.reply as Ack).ok).map((r) => (r.reply as { code: string }).code)).toEqual([
      'bad_request',
      'self_call',
      'self_call',
      'bad_request',
      'bad_request',
      'wrong_code',
      'not_owner',
    ]);
  }, 60_000);

  it('accept and drop fields a newer server may add; refuse values outside the protocol', () => {
    const ended = { callId: 'c-1', reason: 'hangup' };
    expect(serverSchemas['call:ended'].parse({ ...ended, endedAt: 1 })).toEqual(ended);
    const incoming = { callId: 'c-1', from: { username: 'alice', displayName: 'Alice' }, media: audio, polite: true };
    const newer = { ...incoming, from: { ...incoming.from, avatar: 'a.png' }, media: { ...audio, screen: false } };
    expect(serverSchemas['call:incoming'].parse(newer)).toEqual(incoming);
    expect(replySchemas['call:invite'].parse({ ok: true, callId: 'c-1', ringing: 2 })).toEqual({ ok: true, callId: 'c-1' });
    // A failure cause this client does not know yet: the call still ends, without the cause.
    expect(serverSchemas['call:ended'].parse({ callId: 'c-1', reason: 'failed', cause: 'solar-flare' })).toEqual({ callId: 'c-1', reason: 'failed' });

    expect(serverSchemas['call:ended'].safeParse({ ...ended, reason: 'timeout' }).success).toBe(false);
    expect(serverSchemas['presence:changed'].safeParse({ username: 'Alice!', displayName: 'Alice', status: 'away' }).success).toBe(false);
    expect(serverSchemas['call:signal'].safeParse({ callId: 'c-1', from: 'alice' }).success).toBe(false);
    expect(replySchemas['call:hangup'].safeParse({ ok: false, code: 'teapot', message: 'no' }).success).toBe(false);
    expect(replySchemas['call:hangup'].safeParse({ ok: 'yes' }).success).toBe(false);
  });
});
