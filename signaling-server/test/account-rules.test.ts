/**
 * The account rules of the security audit (issue 15): guessable passwords
 * are refused, hashes use the current scrypt cost (older ones are upgraded at
 * sign-in), and display names carry nothing invisible and are unique by look.
 * On SQLite, and on PostgreSQL with PARLEY_TEST_STORES=postgres.
 */
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { hashParams, hashPassword, PARAMS, TEST_PARAMS } from '../src/accounts/passwords.js';
import { displayNameKey } from '../src/accounts/display-name-key.js';
import { DisplayNameTakenError, UserRepository } from '../src/accounts/users.js';
import { openStore } from '../src/db/database.js';
import { runCli } from './cli-helpers.js';
import { rollBackTo } from './migration-rollback.js';
import { postJson, register, startTestServer, tempDir } from './harness.js';
import { testDatabaseUrl } from './test-stores.js';

const WEAK = ['        ', 'password', '12345678'];
/** The admin commands start a Node process each. */
const SLOW = 90_000;

const cli = (dataDir: string, args: string[], stdin?: string) => runCli(['user', ...args], { dataDir, ...(stdin === undefined ? {} : { stdin: `${stdin}\n` }) });

async function storedHash(db: Awaited<ReturnType<typeof openStore>>['db'], username: string): Promise<string> {
  const row = await db.selectFrom('users').select('password_hash').where('username', '=', username).executeTakeFirstOrThrow();
  return row.password_hash;
}

/** This test hashes as production does, whatever the suite's PARLEY_TEST_CHEAP_HASHES. */
function productionHashes(): void {
  vi.stubEnv('PARLEY_TEST_CHEAP_HASHES', '');
  onTestFinished(() => {
    vi.unstubAllEnvs();
  });
}

describe('passwords', () => {
  it('registration refuses guessable passwords with 400 weak_password and says why', async () => {
    const server = await startTestServer();
    for (const password of [...WEAK, 'carol123']) {
      const res = await postJson(`${server.url}/api/register`, { username: 'carol', password, displayName: 'Carol' });
      expect(res, JSON.stringify(password)).toMatchObject({ status: 400, body: { code: 'weak_password' } });
      expect(String(res.body.message)).toMatch(/too easy to guess/);
    }
    expect((await postJson(`${server.url}/api/register`, { username: 'carol', password: 'heavy lantern orbit', displayName: 'Carol' })).status).toBe(201);
  });

  it('a changed password is held to the same rule', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const users = new UserRepository(server.db);
    for (const password of WEAK) await expect(users.setPassword('alice', password)).rejects.toThrow(/too easy to guess/);
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(200);
  });

  it('parley-server user add and passwd refuse them too (exit 2, saying why) and keep the account as it was', async () => {
    const dataDir = tempDir();
    for (const password of WEAK) {
      const res = await cli(dataDir, ['add', 'alice'], password);
      expect(res.code, JSON.stringify(password)).toBe(2);
      expect(res.stderr).toMatch(/password: This password is too easy to guess/);
    }
    expect((await cli(dataDir, ['list'])).stdout).toContain('no users yet');
    expect((await cli(dataDir, ['add', 'alice'], 'alice-secret-1')).code).toBe(0);
    for (const password of WEAK) {
      const res = await cli(dataDir, ['passwd', 'alice'], password);
      expect(res.code, JSON.stringify(password)).toBe(2);
      expect(res.stderr).toMatch(/too easy to guess/);
    }
    const server = await startTestServer({ dataDir });
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-secret-1' })).status).toBe(200);
  }, SLOW);

  it('new hashes use scrypt N=2^17, r=8, p=1', async () => {
    productionHashes();
    const server = await startTestServer();
    await register(server, 'alice');
    expect(await storedHash(server.db, 'alice')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it('an account hashed with the old N=2^14 signs in, and its hash is then stored with the current parameters', async () => {
    productionHashes();
    const server = await startTestServer();
    await register(server, 'alice');
    const old = await hashPassword('alice-password', { N: 2 ** 14, r: 8, p: 1 });
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    await server.db.updateTable('users').set({ password_hash: old }).where('username', '=', 'alice').execute();

    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'wrong-password' })).status).toBe(401);
    expect(await storedHash(server.db, 'alice')).toBe(old); // a wrong password changes nothing
    const res = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' });
    expect(res.status).toBe(200);
    const upgraded = await storedHash(server.db, 'alice');
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    // Same password: the sign-in still works, and the session it gave is not revoked.
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(200);
    expect((await new UserRepository(server.db).find('alice'))?.tokenVersion).toBe(0);
  });
});

describe('the test suites\' cheap hashes (PARLEY_TEST_CHEAP_HASHES)', () => {
  it('apply only under NODE_ENV=test, and are refused anywhere else', () => {
    expect(hashParams({ NODE_ENV: 'test', PARLEY_TEST_CHEAP_HASHES: '1' })).toEqual(TEST_PARAMS);
    expect(hashParams({ NODE_ENV: 'test' })).toEqual(PARAMS);
    expect(hashParams({ NODE_ENV: 'production', PARLEY_TEST_CHEAP_HASHES: '0' })).toEqual(PARAMS);
    for (const NODE_ENV of ['production', 'development', undefined]) {
      expect(() => hashParams({ NODE_ENV, PARLEY_TEST_CHEAP_HASHES: '1' })).toThrow(/for the test suites only/);
    }
  });

  it('stop parley-server and its admin commands from starting outside the tests (exit 2, saying why), with no account made', async () => {
    const dataDir = tempDir();
    const res = await runCli(['user', 'add', 'alice'], { dataDir, env: { NODE_ENV: 'production', PARLEY_TEST_CHEAP_HASHES: '1' }, stdin: 'alice-secret-1\n' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/PARLEY_TEST_CHEAP_HASHES is for the test suites only/);
    expect((await cli(dataDir, ['list'])).stdout).toContain('no users yet');
  }, SLOW);
});

describe('display names', () => {
  it('refuse invisible, zero-width and text-direction characters', async () => {
    const server = await startTestServer();
    for (const displayName of ['Ali\u202Ece', 'Al\u200Bice', 'Alice\u200D', '\u2066Alice\u2069', 'Ali\u00ADce', 'Alice\u3164', 'Ali\u2028ce', 'Al\uFE0Fice']) {
      const res = await postJson(`${server.url}/api/register`, { username: 'mallory', password: 'mallory-password', displayName });
      expect(res, JSON.stringify(displayName)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
      expect(String(res.body.message)).toMatch(/invisible/);
    }
    // Names in any script are still welcome.
    expect((await postJson(`${server.url}/api/register`, { username: 'ayse', password: 'ayse-password-7', displayName: 'Ayşe Çelik' })).status).toBe(201);
    expect((await postJson(`${server.url}/api/register`, { username: 'boris', password: 'boris-password-7', displayName: 'Борис Ельцин' })).status).toBe(201);
  });

  it('are unique by look: case, spacing, compatibility forms and look-alike letters are 409 display_name_taken', async () => {
    const server = await startTestServer();
    await register(server, 'alice', 'Alice Smith');
    const lookAlikes = [
      'alice smith',
      'ALICE   SMITH',
      '\u0410lice Smith', // Cyrillic А
      'Alice Sm\u0456th', // Cyrillic і
      '\uFF21lice Smith', // full-width A
      'A1ice Smith', // digit one for l
      'AIice Smith', // capital I for l
      '\u13AAlice Smith', // Cherokee Ꭺ
      'Alice\u2800Smith', // braille blank for the space
      'Alice S\u1D0Dith', // small capital ᴍ
    ];
    for (const displayName of lookAlikes) {
      const res = await postJson(`${server.url}/api/register`, { username: 'mallory', password: 'mallory-password', displayName });
      expect(res, JSON.stringify(displayName)).toMatchObject({ status: 409, body: { code: 'display_name_taken' } });
      expect(String(res.body.message)).toContain('taken');
    }
    expect((await postJson(`${server.url}/api/register`, { username: 'mallory', password: 'mallory-password', displayName: 'Alice Smyth' })).status).toBe(201);

    const users = new UserRepository(server.db);
    await expect(users.setDisplayName('mallory', 'alice smith')).rejects.toBeInstanceOf(DisplayNameTakenError);
    expect((await users.find('mallory'))?.displayName).toBe('Alice Smyth');
    expect(await users.setDisplayName('alice', 'ALICE SMITH')).toBe(true); // her own name, in capitals
    expect((await users.find('alice'))?.displayName).toBe('ALICE SMITH');
  }, SLOW);

  it('parley-server user add and rename refuse a look-alike of another account\'s name', async () => {
    const dataDir = tempDir();
    expect((await cli(dataDir, ['add', 'alice', '--display-name', 'Alice Smith'], 'alice-secret-1')).code).toBe(0);
    const add = await cli(dataDir, ['add', 'mallory', '--display-name', '\u0410lice smith'], 'mallory-secret-1');
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/display name: .*taken/);
    expect((await cli(dataDir, ['add', 'mallory', '--display-name', 'Mallory'], 'mallory-secret-1')).code).toBe(0);
    const rename = await cli(dataDir, ['rename', 'mallory', '--display-name', 'ALICE SMITH']);
    expect(rename.code).toBe(2);
    expect(rename.stderr).toMatch(/display name: .*taken/);
    const hidden = await cli(dataDir, ['rename', 'mallory', '--display-name', 'Alice\u200B Smith']);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toMatch(/invisible/);
    expect((await cli(dataDir, ['list'])).stdout).toContain('mallory\tMallory\tactive');
  }, SLOW);

  it('0012: keys are made again with the skeleton taken first; look-alikes the old keys missed keep their name but no key', async () => {
    const dataDir = tempDir();
    const where = { dataDir, databaseUrl: await testDatabaseUrl(dataDir) };
    let { db } = await openStore(where);
    await rollBackTo(db, '0011-call-sfu');
    // Keys as the old rule made them: it folded case first, so these two did not meet.
    const old = (id: string, username: string, displayName: string, key: string, at: number) =>
      sql`insert into users (id, username, display_name, display_name_key, password_hash, created_at) values (${id}, ${username}, ${displayName}, ${key}, 'x', ${at})`.execute(db);
    await old('1', 'alice', 'Alice Smith', 'alice smith', 1);
    await old('2', 'mallory', 'AIice Smith', 'aiice smith', 2);
    await db.destroy();

    ({ db } = await openStore(where));
    try {
      const keys = await db.selectFrom('users').select(['username', 'display_name_key']).orderBy('username').execute();
      expect(keys).toEqual([
        { username: 'alice', display_name_key: displayNameKey('Alice Smith') },
        { username: 'mallory', display_name_key: null },
      ]);
      await expect(new UserRepository(db).create({ username: 'eve', displayName: 'Alice S\u1D0Dith', password: 'eve-password-77' })).rejects.toBeInstanceOf(DisplayNameTakenError);
    } finally {
      await db.destroy();
    }
  });

  it('0006-display-name-key: a database with look-alike names upgrades; the oldest account keeps the name', async () => {
    const dataDir = tempDir();
    const where = { dataDir, databaseUrl: await testDatabaseUrl(dataDir) };
    // Made by this version, then taken back to 0005 (0006 and later undone), with two accounts of the same name as before 0006.
    let { db } = await openStore(where);
    await rollBackTo(db, '0005-call-attempts');
    const old = (id: string, username: string, displayName: string, at: number) =>
      sql`insert into users (id, username, display_name, password_hash, created_at) values (${id}, ${username}, ${displayName}, 'x', ${at})`.execute(db);
    await old('1', 'bob', 'Bob', 1);
    await old('2', 'robert', 'BOB', 2);
    await old('3', 'carol', 'Carol', 3);
    await db.destroy();

    ({ db } = await openStore(where));
    try {
      const keys = await db.selectFrom('users').select(['username', 'display_name_key']).orderBy('username').execute();
      expect(keys).toEqual([
        { username: 'bob', display_name_key: 'bob' },
        { username: 'carol', display_name_key: 'carol' },
        { username: 'robert', display_name_key: null },
      ]);
      const users = new UserRepository(db);
      await expect(users.create({ username: 'bobby', displayName: 'bob', password: 'bobby-password-7' })).rejects.toBeInstanceOf(DisplayNameTakenError);
      // The later look-alike keeps its name until renamed, and cannot be renamed onto a taken one.
      expect((await users.find('robert'))?.displayName).toBe('BOB');
      await expect(users.setDisplayName('robert', 'Carol')).rejects.toBeInstanceOf(DisplayNameTakenError);
      expect(await users.setDisplayName('robert', 'Robert')).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});
