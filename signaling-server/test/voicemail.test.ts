/**
 * Voicemail end to end on the real store (SQLite, or PostgreSQL and Redis
 * with PARLEY_TEST_STORES): a message left for someone is theirs alone to
 * list, hear, mark and delete, reaches their devices on every node, outlives
 * a restart, goes after PARLEY_VOICEMAIL_DAYS and with a disabled account.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { voicemailCheckSchema, voicemailListSchema } from '../src/protocol/index.js';
import { runCli } from './cli-helpers.js';
import { connect, register, startTestServer, tempDir, twoNodes } from './harness.js';
import { sqliteFileOnly } from './test-stores.js';
import { oggTone, webmOf } from './voicemail-audio.js';
import { voicemailApi } from './voicemail-http.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('voicemail', () => {
  it('a message is listed, played, marked heard and deleted by its callee only, who hears of it at once', async () => {
    const server = await startTestServer();
    const [alice, bob, carol] = [await register(server, 'alice'), await register(server, 'bob'), await register(server, 'carol')];
    const bobDevice = await connect(server, bob, {}, []);
    const asAlice = voicemailApi(server, alice.token);
    const asBob = voicemailApi(server, bob.token);
    const asCarol = voicemailApi(server, carol.token);

    const check = await asAlice.check('bob');
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ callee: { username: 'bob', displayName: 'Bob' }, maxSeconds: 120, greeting: false });
    const audio = oggTone(440, 2);
    const heard = bobDevice.next('voicemail:new');
    // The declared type is a lie: the bytes say Ogg.
    const sent = await asAlice.leave('bob', audio, 'audio/webm');
    expect(sent.status).toBe(201);
    expect(Math.abs(sent.body.durationMs - 2000)).toBeLessThan(30);
    const event = await heard;
    expect(event).toMatchObject({ unheard: 1, message: { from: { username: 'alice', displayName: 'Alice' }, mime: 'audio/ogg', heard: false, size: audio.length } });
    const id = event.message.id;
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const listed = await asBob.list();
    expect(listed.headers.get('cache-control')).toBe('private, no-store');
    // What the app checks answers with takes them unchanged.
    expect(voicemailListSchema.parse(listed.body)).toEqual(listed.body);
    expect(voicemailCheckSchema.parse(check.body)).toEqual(check.body);
    expect(listed.body).toEqual({ unheard: 1, messages: [event.message] });
    const played = await asBob.fetch(id);
    expect(played.status).toBe(200);
    expect(played.headers.get('content-type')).toBe('audio/ogg');
    expect(played.headers.get('cache-control')).toBe('private, no-store');
    expect(played.bytes.equals(audio)).toBe(true);

    // Nobody else reaches it: not the caller, not a third user, not without a token.
    for (const api of [asAlice, asCarol]) {
      expect((await api.fetch(id)).status).toBe(404);
      expect((await api.heard(id)).status).toBe(404);
      expect((await api.remove(id)).status).toBe(404);
      expect((await api.list()).body).toEqual({ unheard: 0, messages: [] });
    }
    const anonymous = voicemailApi(server, undefined);
    expect(await anonymous.fetch(id)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect((await voicemailApi(server, `${bob.token}x`).list()).status).toBe(401);

    const count = bobDevice.next('voicemail:unheard');
    expect((await asBob.heard(id)).status).toBe(204);
    expect(await count).toEqual({ unheard: 0 });
    expect((await asBob.list()).body).toMatchObject({ unheard: 0, messages: [{ id, heard: true }] });
    expect((await asBob.remove(id)).status).toBe(204);
    expect((await asBob.list()).body).toEqual({ unheard: 0, messages: [] });
    expect((await asBob.fetch(id)).status).toBe(404);
  });

  it('WebM Opus as a recorder writes it is taken, its duration counted from its packets, not the Duration it declares', async () => {
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const webm = webmOf(oggTone(660, 3), 1);
    const sent = await voicemailApi(server, alice.token).leave('bob', webm, 'audio/ogg');
    expect(sent.status).toBe(201);
    expect(Math.abs(sent.body.durationMs - 3000)).toBeLessThan(30);
    const { body } = await voicemailApi(server, bob.token).list();
    expect(body.messages).toMatchObject([{ mime: 'audio/webm', size: webm.length }]);
  });

  it('a greeting is the user\'s to record; callers are told of it and play it', async () => {
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const greeting = oggTone(550, 1);
    expect(await voicemailApi(server, bob.token).setGreeting(greeting)).toMatchObject({ status: 200 });
    expect((await voicemailApi(server, alice.token).check('bob')).body.greeting).toBe(true);
    const played = await voicemailApi(server, alice.token).greeting('bob');
    expect(played.bytes.equals(greeting)).toBe(true);
    expect(played.headers.get('cache-control')).toBe('private, no-store');
    expect(await voicemailApi(server, alice.token).greeting('carol')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('messages outlive a restart of the server', async () => {
    const first = await startTestServer();
    const [alice, bob] = [await register(first, 'alice'), await register(first, 'bob')];
    const audio = oggTone(440, 2);
    expect((await voicemailApi(first, alice.token).leave('bob', audio)).status).toBe(201);
    await first.close();
    const again = await startTestServer({ dataDir: first.dataDir });
    const asBob = voicemailApi(again, bob.token);
    const { body } = await asBob.list();
    expect(body).toMatchObject({ unheard: 1, messages: [{ from: { username: 'alice' } }] });
    expect((await asBob.fetch(body.messages[0]?.id ?? '')).bytes.equals(audio)).toBe(true);
  });

  it('a backup holds the messages, and a server restored from it plays them', async (ctx) => {
    if (sqliteFileOnly('the SQLite backup and restore commands')) return ctx.skip();
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const audio = oggTone(440, 2);
    expect((await voicemailApi(server, alice.token).leave('bob', audio)).status).toBe(201);
    const file = path.join(tempDir(), 'nightly.sqlite');
    expect(await runCli(['backup', file], { dataDir: server.dataDir })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^backed up 2 users, 0 calls and 1 voicemail message to /) as unknown });
    const restoredDir = tempDir();
    expect((await runCli(['restore', file], { dataDir: restoredDir })).stdout).toMatch(/^restored 2 users, 0 calls and 1 voicemail message from /);
    copyFileSync(path.join(server.dataDir, 'token-secret'), path.join(restoredDir, 'token-secret'));
    const restored = await startTestServer({ dataDir: restoredDir });
    const asBob = voicemailApi(restored, bob.token);
    const [message] = (await asBob.list()).body.messages;
    expect((await asBob.fetch(message?.id ?? '')).bytes.equals(audio)).toBe(true);
  });

  it('on two nodes: the callee hears of a message left on the other node, and only they reach it there', async () => {
    const [one, two] = await twoNodes();
    const [alice, bob, carol] = [await register(one, 'alice'), await register(one, 'bob'), await register(one, 'carol')];
    const bobOnTwo = await connect(two, bob, {}, []);
    const heard = bobOnTwo.next('voicemail:new');
    expect((await voicemailApi(one, alice.token).leave('bob', oggTone(440, 2))).status).toBe(201);
    const { message } = await heard;
    expect((await voicemailApi(two, bob.token).fetch(message.id)).status).toBe(200);
    expect((await voicemailApi(two, carol.token).fetch(message.id)).status).toBe(404);
    expect((await voicemailApi(one, carol.token).fetch(message.id)).status).toBe(404);
  });

  it('messages older than PARLEY_VOICEMAIL_DAYS are deleted; newer ones stay', async () => {
    const server = await startTestServer({ voicemailDays: 7 });
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const asAlice = voicemailApi(server, alice.token);
    for (let i = 0; i < 2; i++) expect((await asAlice.leave('bob', oggTone(440, 2))).status).toBe(201);
    const [old, recent] = (await voicemailApi(server, bob.token).list()).body.messages;
    await server.db.updateTable('voicemails').set({ created_at: Date.now() - 8 * DAY_MS }).where('id', '=', old?.id ?? '').execute();
    expect(await server.voicemailRetention.prune()).toBe(1);
    expect((await voicemailApi(server, bob.token).list()).body.messages.map((m) => m.id)).toEqual([recent?.id]);
    expect(await server.voicemailRetention.prune()).toBe(0);
  });

  it('the admin lists and purges a user\'s voicemail; disabling or removing an account deletes it, and metrics count what is stored', async () => {
    const server = await startTestServer();
    const [alice, bob] = [await register(server, 'alice'), await register(server, 'bob')];
    const asAlice = voicemailApi(server, alice.token);
    const audio = oggTone(440, 2);
    for (let i = 0; i < 2; i++) expect((await asAlice.leave('bob', audio)).status).toBe(201);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_voicemail_messages 2$/m);
    expect(metrics).toContain(`parley_voicemail_bytes ${2 * audio.length}`);
    expect(metrics).toMatch(/^parley_voicemail_uploads_total\{result="stored"\} 2$/m);

    const env: Record<string, string> = server.config.databaseUrl ? { PARLEY_DATABASE_URL: server.config.databaseUrl } : {};
    const listed = await runCli(['voicemail', 'list', 'bob'], { dataDir: server.dataDir, env });
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect(listed.stdout).toMatch(/\talice\t.*\t2\.0 s\t\d+ bytes\tunheard/);
    expect(await runCli(['voicemail', 'purge', 'bob'], { dataDir: server.dataDir, env })).toMatchObject({ code: 0, stdout: 'deleted 2 voicemail messages of bob\n' });
    expect((await voicemailApi(server, bob.token).list()).body.messages).toEqual([]);
    // A name that is nobody's is a mistake, said as one, not "deleted 0".
    for (const command of ['list', 'purge']) {
      expect(await runCli(['voicemail', command, 'nobody'], { dataDir: server.dataDir, env })).toMatchObject({ code: 1, stderr: expect.stringContaining('no user "nobody"') as string });
    }

    expect((await asAlice.leave('bob', audio)).status).toBe(201);
    expect((await voicemailApi(server, bob.token).setGreeting(audio)).status).toBe(200);
    const disabled = await runCli(['user', 'disable', 'bob'], { dataDir: server.dataDir, env });
    expect(disabled.stdout).toContain('1 voicemail message deleted');
    expect(await server.db.selectFrom('voicemails').select('id').execute()).toEqual([]);
    expect(await server.db.selectFrom('voicemail_greetings').select('username').execute()).toEqual([]);
    // And nothing new is stored for the disabled account.
    expect(await asAlice.leave('bob', audio)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    // A removed account's goes too, and a new account of that username starts with none.
    await register(server, 'carol');
    expect((await asAlice.leave('carol', audio)).status).toBe(201);
    expect((await runCli(['user', 'remove', 'carol'], { dataDir: server.dataDir, env })).stdout).toContain('1 voicemail message deleted');
    const carolAgain = await register(server, 'carol');
    expect((await voicemailApi(server, carolAgain.token).list()).body).toEqual({ unheard: 0, messages: [] });
  });
});
