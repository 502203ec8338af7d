/**
 * What voicemail refuses, in words and before storing anything: a full box
 * (told before recording), too many messages at once, audio that is too long
 * or too large, bytes that are not Opus in Ogg or WebM whatever they claim,
 * and an upload cut off midway, which leaves nothing behind.
 */
import { request, type Server as HttpServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { register, startTestServer } from './harness.js';
import { VoicemailRepository } from '../src/voicemail/voicemail-repository.js';
import { GREETINGS_PER_HOUR, VOICEMAIL_REQUESTS_PER_MINUTE } from '../src/http/voicemail-routes.js';
import { MESSAGES_PER_WINDOW, maxBytesFor } from '../src/voicemail/voicemail-service.js';
import { GREETING_MAX_S } from '../src/protocol/index.js';
import { oggTone, webmOf } from './voicemail-audio.js';
import { voicemailApi } from './voicemail-http.js';

describe('voicemail limits', () => {
  it('a full box is refused in words before recording and at upload; deleting a message makes room', async () => {
    const server = await startTestServer({ voicemailCount: 2 });
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const asAlice = voicemailApi(server, alice.token);
    for (let i = 0; i < 2; i++) expect((await asAlice.leave('bob', oggTone(440, 2))).status).toBe(201);
    expect(await asAlice.check('bob')).toMatchObject({ status: 409, body: { code: 'mailbox_full', message: "Bob's voicemail is full: they need to delete some messages first" } });
    expect(await asAlice.leave('bob', oggTone(440, 2))).toMatchObject({ status: 409, body: { code: 'mailbox_full' } });
    const asBob = voicemailApi(server, bob.token);
    const { body } = await asBob.list();
    expect(body.messages).toHaveLength(2);
    expect((await asBob.remove(body.messages[0]?.id ?? '')).status).toBe(204);
    expect((await asAlice.check('bob')).status).toBe(200);
  });

  it('the per-callee byte quota holds in the store: a message past it is not stored', async () => {
    const server = await startTestServer();
    await register(server, 'bob');
    const repo = new VoicemailRepository(server.db, server.config.databaseUrl ? 'postgres' : 'sqlite');
    const message = { callee: 'bob', caller: 'alice', createdAt: Date.now(), durationMs: 1000, mime: 'audio/ogg' as const, audio: Buffer.alloc(6000, 1) };
    const limits = { count: 10, bytes: 15_000 };
    expect(await repo.store(message, limits)).toHaveProperty('stored');
    expect(await repo.store(message, limits)).toHaveProperty('stored');
    expect(await repo.store(message, limits)).toEqual({ refused: 'full' });
    expect(await repo.usage('bob')).toEqual({ count: 2, bytes: 12_000 });
    expect(await repo.store({ ...message, callee: 'nobody' }, limits)).toEqual({ refused: 'no_callee' });
  });

  it('too long, too large, or anything but Opus in Ogg or WebM is refused with a reason, and nothing is stored', async () => {
    const server = await startTestServer({ voicemailMaxS: 5 });
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const asAlice = voicemailApi(server, alice.token);
    const long = oggTone(440, 7);
    expect(await asAlice.leave('bob', long)).toMatchObject({ status: 413, body: { code: 'too_long', message: 'The recording is longer than 0:05, the longest this server takes' } });
    expect(await asAlice.leave('bob', webmOf(long, 2))).toMatchObject({ status: 413, body: { code: 'too_long' } });
    expect(await asAlice.leave('bob', Buffer.alloc((await asAlice.check('bob')).body.maxBytes + 1))).toMatchObject({ status: 413, body: { code: 'too_large' } });

    const ogg = oggTone(440, 2);
    const flipped = Buffer.from(ogg);
    const middle = Math.floor(ogg.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0xff;
    const webm = webmOf(ogg);
    const malformed: [string, Buffer, RegExp][] = [
      ['nothing', Buffer.alloc(0), /not Opus audio in Ogg or WebM/],
      ['text', Buffer.from('OggS but not really, <script>alert(1)</script>'), /damaged Ogg page|cut off/],
      ['a WAV file', Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(64)]), /not Opus audio/],
      ['a damaged page', flipped, /fails its checksum/],
      ['a file cut short', ogg.subarray(0, Math.floor(ogg.length * 0.6)), /cut off/],
      ['Ogg without its last page', ogg.subarray(0, ogg.lastIndexOf('OggS')), /cut off/],
      ['WebM cut in a block', webm.subarray(0, webm.length - 7), /cut off/],
      ['WebM of another codec', Buffer.from(webm.toString('latin1').replace('A_OPUS', 'A_VORB'), 'latin1'), /exactly one Opus audio track/],
      ['Matroska, not WebM', Buffer.from(webm.toString('latin1').replace('webm', 'mkvx'), 'latin1'), /not a WebM file/],
      ['random bytes after an EBML magic', Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(100, 0xff)]), /.+/],
    ];
    // Every upload counts against its caller's rate, a refused one too: these come from two callers.
    const asCarol = voicemailApi(server, (await register(server, 'carol')).token);
    for (const [i, [what, bytes, why]] of malformed.entries()) {
      const answer = await (i % 2 ? asAlice : asCarol).leave('bob', bytes, 'audio/ogg');
      expect({ what, status: answer.status, code: answer.body.code }).toEqual({ what, status: 415, code: 'invalid_audio' });
      expect(answer.body.message).toMatch(why);
    }
    expect((await voicemailApi(server, bob.token).list()).body.messages).toEqual([]);
    // Greetings are checked alike.
    expect(await voicemailApi(server, bob.token).setGreeting(flipped)).toMatchObject({ status: 415, body: { code: 'invalid_audio' } });
    expect((await asAlice.check('bob')).body.greeting).toBe(false);
  });

  it('an upload cut off midway stores nothing; the next one whole is stored', async () => {
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const audio = oggTone(440, 3);
    const url = new URL(`${server.url}/api/voicemail/to/bob`);
    // The server saw the request end: its body never came whole.
    const ended = new Promise<void>((resolve) => (server.io.httpServer as HttpServer).once('request', (req) => req.once('close', () => resolve())));
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'audio/ogg', 'content-length': audio.length } });
    req.on('error', () => undefined);
    req.write(audio.subarray(0, Math.floor(audio.length / 2)), () => req.destroy());
    await ended;
    const asBob = voicemailApi(server, bob.token);
    expect((await asBob.list()).body.messages).toEqual([]);
    expect(await server.db.selectFrom('voicemails').select('id').execute()).toEqual([]);
    expect((await voicemailApi(server, alice.token).leave('bob', audio)).status).toBe(201);
    expect((await asBob.list()).body.messages).toHaveLength(1);
  });

  it(`a caller may leave ${MESSAGES_PER_WINDOW} messages in ten minutes; past that, refused before recording too`, async () => {
    const server = await startTestServer();
    const [alice, carol] = [await register(server, 'alice'), await register(server, 'carol')];
    await register(server, 'bob');
    const asAlice = voicemailApi(server, alice.token);
    const audio = oggTone(440, 1);
    for (let i = 0; i < MESSAGES_PER_WINDOW; i++) expect((await asAlice.leave(i % 2 ? 'bob' : 'carol', audio)).status).toBe(201);
    const told = await asAlice.check('bob');
    expect(told).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(told.body.message).toContain('too many messages');
    const refused = await asAlice.leave('bob', audio);
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Someone else still can.
    expect((await voicemailApi(server, carol.token).leave('bob', audio)).status).toBe(201);
    expect(await asAlice.check('alice')).toMatchObject({ status: 400, body: { code: 'bad_request', message: 'You cannot leave yourself a message' } });
    expect(await asAlice.check('nobody')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it(`every voicemail request counts: ${VOICEMAIL_REQUESTS_PER_MINUTE} a minute per user, and ${GREETINGS_PER_HOUR} new greetings an hour`, async () => {
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const asAlice = voicemailApi(server, alice.token);
    const greeting = oggTone(440, 1);
    const oversize = Buffer.alloc(maxBytesFor(GREETING_MAX_S) + 1);
    // An upload too large counts as one: the budget is taken before the body is read.
    expect(await asAlice.setGreeting(oversize)).toMatchObject({ status: 413, body: { code: 'too_large' } });
    for (let i = 1; i < GREETINGS_PER_HOUR; i++) expect((await asAlice.setGreeting(greeting)).status).toBe(200);
    const tooManyGreetings = await asAlice.setGreeting(greeting);
    expect(tooManyGreetings).toMatchObject({ status: 429, body: { code: 'rate_limited', message: 'Too many new greetings: wait and try again' } });
    // Refused before the upload is read: one past the size limit is told about the hour's budget, not its size.
    expect(await asAlice.setGreeting(oversize)).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    // What the routes read counts too: listings, messages, greetings, the check before recording.
    const left = VOICEMAIL_REQUESTS_PER_MINUTE - GREETINGS_PER_HOUR - 2;
    const reads = [() => asAlice.list(), () => asAlice.greeting('bob'), () => asAlice.check('bob'), () => asAlice.fetch('1')];
    for (let i = 0; i < left; i++) expect((await reads[i % reads.length]!()).status).not.toBe(429);
    const refused = await asAlice.list();
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited', message: 'Too many voicemail requests: wait a minute and try again' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // One user's budget is not another's.
    expect((await voicemailApi(server, bob.token).list()).status).toBe(200);
  });
});
