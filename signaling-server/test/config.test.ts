import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, extractSettingFlags, loadConfig, resolveStore, secretsOnCommandLine, SETTINGS, settingsHelp } from '../src/config.js';
import { configError, expectRefused } from './config-helpers.js';
import { tempDir } from './harness.js';

function pemFiles(): { cert: string; key: string } {
  const dir = tempDir();
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
  return { cert, key };
}

describe('defaults', () => {
  it('serves on 127.0.0.1:7070 with open registration and a 30 s ring timeout', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 7070,
      host: '127.0.0.1',
      registration: 'open',
      inviteCode: undefined,
      ringTimeoutS: 30,
      stunUrls: [],
      turnUrls: [],
      turnSecret: undefined,
      turnTtlS: 600,
      allowedOrigins: [],
      tls: undefined,
      logLevel: 'info',
      tokenTtlS: 7 * 24 * 3600,
      messageRate: 20,
      messageBurst: 100,
      floodDisconnect: 100,
      callGraceS: 30,
      meshLimit: 6,
      dbSync: 'normal',
      // One process, state in its memory: no Redis unless asked for.
      redisUrl: undefined,
      // No public name: Host is checked only while listening on loopback (http/hosts.ts).
      publicUrl: undefined,
      metricsToken: undefined,
      // Calls are a mesh only: no SFU unless Janus is named.
      sfu: undefined,
    });
    expect(config.dataDir).toBe(path.resolve('parley-data'));
  });

  it('opens registration on loopback hosts only', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1']) {
      expect(loadConfig({ PARLEY_HOST: host }).registration, host).toBe('open');
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'parley.example.org']) {
      expect(loadConfig({ PARLEY_HOST: host }).registration, host).toBe('closed');
    }
  });

  it('lets an explicit registration mode win over the host default', () => {
    expect(loadConfig({ PARLEY_HOST: '0.0.0.0', PARLEY_REGISTRATION: 'open' }).registration).toBe('open');
    expect(loadConfig({ PARLEY_REGISTRATION: 'closed' }).registration).toBe('closed');
    const invite = loadConfig({ PARLEY_REGISTRATION: 'invite', PARLEY_INVITE_CODE: 'let-me-in-please' });
    expect(invite.registration).toBe('invite');
    expect(invite.inviteCode).toBe('let-me-in-please');
  });

  it('treats an empty variable of a setting without default as unset', () => {
    const config = loadConfig({ PARLEY_REGISTRATION: '', PARLEY_TURN_SECRET: '', PARLEY_TLS_CERT: '', PARLEY_TLS_KEY: '' });
    expect(config.registration).toBe('open');
    expect(config.turnSecret).toBeUndefined();
    expect(config.tls).toBeUndefined();
  });

  it('does not take an empty or blank PARLEY_PORT as port 0 (a random port)', () => {
    // PARLEY_PORT= (say from PARLEY_PORT=${PORT} with PORT unset) must either
    // fall back to the default or be refused: never silently listen elsewhere.
    for (const value of ['', ' ']) {
      for (const attempt of [() => loadConfig({ PARLEY_PORT: value }), () => loadConfig({}, extractSettingFlags([`--port=${value}`]).flags)]) {
        let port: number | undefined;
        try {
          port = attempt().port;
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message).toContain('PARLEY_PORT');
          continue;
        }
        expect(port, `PARLEY_PORT="${value}"`).toBe(7070);
      }
    }
  });
});

describe('flags and environment', () => {
  it('reads every setting from the environment', () => {
    const { cert, key } = pemFiles();
    const config = loadConfig({
      PARLEY_PORT: '9090',
      PARLEY_HOST: '0.0.0.0',
      PARLEY_DATA_DIR: '/var/lib/parley',
      PARLEY_REGISTRATION: 'invite',
      PARLEY_INVITE_CODE: 'welcome-aboard',
      PARLEY_RING_TIMEOUT_S: '45',
      PARLEY_STUN_URLS: 'stun:stun.example.org:3478, stuns:stun2.example.org',
      PARLEY_TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
      PARLEY_TURN_SECRET: 'a-very-long-turn-secret',
      PARLEY_TURN_TTL_S: '900',
      PARLEY_ALLOWED_ORIGINS: 'https://app.example.org, http://localhost:5173',
      PARLEY_TLS_CERT: cert,
      PARLEY_TLS_KEY: key,
      PARLEY_LOG_LEVEL: 'debug',
      PARLEY_TOKEN_TTL_S: '600',
      PARLEY_MESSAGE_RATE: '5',
      PARLEY_MESSAGE_BURST: '7',
      PARLEY_FLOOD_DISCONNECT: '0',
      PARLEY_CALL_GRACE_S: '12',
      PARLEY_MESH_LIMIT: '3',
      PARLEY_DB_SYNC: 'full',
      PARLEY_REDIS_URL: 'redis://parley:pw@redis.internal:6380/3',
      PARLEY_PUBLIC_URL: 'https://parley.example.org',
      PARLEY_METRICS_TOKEN: 'a-long-metrics-token',
    });
    expect(config).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      dataDir: '/var/lib/parley',
      registration: 'invite',
      inviteCode: 'welcome-aboard',
      ringTimeoutS: 45,
      stunUrls: ['stun:stun.example.org:3478', 'stuns:stun2.example.org'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      turnSecret: 'a-very-long-turn-secret',
      turnTtlS: 900,
      allowedOrigins: ['https://app.example.org', 'http://localhost:5173'],
      logLevel: 'debug',
      tokenTtlS: 600,
      messageRate: 5,
      messageBurst: 7,
      floodDisconnect: 0,
      callGraceS: 12,
      meshLimit: 3,
      dbSync: 'full',
      redisUrl: 'redis://parley:pw@redis.internal:6380/3',
      publicUrl: 'https://parley.example.org',
      metricsToken: 'a-long-metrics-token',
    });
    expect(config.tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(config.tls?.key.toString()).toContain('BEGIN PRIVATE KEY');
  });

  it('lets flags win over the environment', () => {
    const { flags, rest } = extractSettingFlags(['--port', '8081', '--log-level', 'warn', '--ring-timeout-s', '5']);
    expect(rest).toEqual([]);
    const config = loadConfig({ PARLEY_PORT: '9999', PARLEY_LOG_LEVEL: 'error', PARLEY_HOST: '::1' }, flags);
    expect(config.port).toBe(8081);
    expect(config.logLevel).toBe('warn');
    expect(config.ringTimeoutS).toBe(5);
    // Settings without a flag still come from the environment.
    expect(config.host).toBe('::1');
  });

  it('accepts the --name=value form', () => {
    const { flags, rest } = extractSettingFlags(['--port=8080', '--allowed-origins=https://a.example,https://b.example', '--data-dir=/srv/x=y']);
    expect(rest).toEqual([]);
    expect(flags).toEqual({ port: '8080', allowedOrigins: 'https://a.example,https://b.example', dataDir: '/srv/x=y' });
    const config = loadConfig({ PARLEY_PORT: '1234' }, flags);
    expect(config.port).toBe(8080);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.dataDir).toBe('/srv/x=y');
  });

  it('passes arguments that are not settings through in order', () => {
    const { flags, rest } = extractSettingFlags(['user', 'add', 'alice', '--data-dir', '/tmp/d', '--display-name', 'Alice Liddell']);
    expect(flags).toEqual({ dataDir: '/tmp/d' });
    expect(rest).toEqual(['user', 'add', 'alice', '--display-name', 'Alice Liddell']);
  });

  it('refuses a flag without a value, naming the flag', () => {
    const err = configError(() => extractSettingFlags(['--port']));
    expect(err.message).toContain('--port');
  });

  it('reads each secret from the file its _FILE variable names; the variable itself and a flag win; a file it cannot read is named', () => {
    const dir = tempDir();
    const file = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const env = {
      PARLEY_TURN_URLS: 'turn:turn.example.com',
      PARLEY_TURN_SECRET_FILE: file('turn', 'a-turn-secret-of-32-characters!!\n'),
      PARLEY_INVITE_CODE_FILE: file('invite', 'letmein-please'),
      PARLEY_DATABASE_URL_FILE: file('db', 'postgres://parley:pw@db/parley\n'),
      PARLEY_REDIS_URL_FILE: file('redis', 'redis://:pw@cache:6379/0'),
      PARLEY_METRICS_TOKEN_FILE: file('metrics', 'a-long-metrics-token-for-scrapers\n'),
    };
    const config = loadConfig(env);
    expect(config).toMatchObject({
      turnSecret: 'a-turn-secret-of-32-characters!!',
      inviteCode: 'letmein-please',
      databaseUrl: 'postgres://parley:pw@db/parley',
      redisUrl: 'redis://:pw@cache:6379/0',
    });
    expect(resolveStore(env).databaseUrl).toBe('postgres://parley:pw@db/parley');
    expect(loadConfig({ ...env, PARLEY_INVITE_CODE: 'from-the-variable' }).inviteCode).toBe('from-the-variable');
    expect(loadConfig(env, { inviteCode: 'from-the-flag-x' }).inviteCode).toBe('from-the-flag-x');
    // Only secrets: any other setting's _FILE is not read.
    expect(loadConfig({ PARLEY_PORT_FILE: file('port', '9999') }).port).toBe(7070);
    const missing = path.join(dir, 'nope');
    expect(configError(() => loadConfig({ PARLEY_TURN_SECRET_FILE: missing })).message).toMatch(`PARLEY_TURN_SECRET_FILE: cannot read ${missing}`);
  });

  it('names the secrets given as flags (anyone on the machine can read them in ps), and only those', () => {
    const { flags } = extractSettingFlags(['--turn-secret', 'xxxxxxxxxxxxxxxxxxxx', '--port', '1', '--database-url=postgres://a:b@c/d']);
    expect(secretsOnCommandLine(flags)).toEqual(['--database-url (use PARLEY_DATABASE_URL or PARLEY_DATABASE_URL_FILE)', '--turn-secret (use PARLEY_TURN_SECRET or PARLEY_TURN_SECRET_FILE)']);
    expect(secretsOnCommandLine(extractSettingFlags(['--port', '1']).flags)).toEqual([]);
  });

  it('lets overrides win over flags and environment', () => {
    const config = loadConfig({ PARLEY_PORT: '1' }, { port: '2' }, { port: 0, ringTimeoutS: 3 });
    expect(config.port).toBe(0);
    expect(config.ringTimeoutS).toBe(3);
  });
});

describe('refused values', () => {
  it('refuses a port that is not a number', () => {
    const err = expectRefused(() => loadConfig({ PARLEY_PORT: 'abc' }), 'PARLEY_PORT', '--port');
    expect(err.message).toContain('"abc"');
  });

  it('refuses a port out of range, also given as a flag', () => {
    expectRefused(() => loadConfig({ PARLEY_PORT: '70000' }), 'PARLEY_PORT', '--port');
    expectRefused(() => loadConfig({}, extractSettingFlags(['--port=70000']).flags), 'PARLEY_PORT', '--port');
    expectRefused(() => loadConfig({ PARLEY_PORT: '-1' }), 'PARLEY_PORT', '--port');
    expectRefused(() => loadConfig({ PARLEY_PORT: '80.5' }), 'PARLEY_PORT', '--port');
  });

  it('refuses an unknown registration mode', () => {
    const err = expectRefused(() => loadConfig({ PARLEY_REGISTRATION: 'maybe' }), 'PARLEY_REGISTRATION', '--registration');
    expect(err.message).toContain('maybe');
  });

  it('refuses a call grace period out of range and an unknown database sync mode', () => {
    expectRefused(() => loadConfig({ PARLEY_CALL_GRACE_S: '0' }), 'PARLEY_CALL_GRACE_S', '--call-grace-s');
    expectRefused(() => loadConfig({ PARLEY_CALL_GRACE_S: '3601' }), 'PARLEY_CALL_GRACE_S', '--call-grace-s');
    expectRefused(() => loadConfig({ PARLEY_DB_SYNC: 'off' }), 'PARLEY_DB_SYNC', '--db-sync');
  });

  it('refuses an unknown log level', () => {
    expectRefused(() => loadConfig({ PARLEY_LOG_LEVEL: 'loud' }), 'PARLEY_LOG_LEVEL', '--log-level');
  });

  it('refuses STUN URLs that are not stun: or stuns:, and TURN URLs that are not turn: or turns:', () => {
    expectRefused(() => loadConfig({ PARLEY_STUN_URLS: 'http://x' }), 'PARLEY_STUN_URLS', '--stun-urls');
    expectRefused(() => loadConfig({ PARLEY_STUN_URLS: 'stun:ok.example,http://x' }), 'PARLEY_STUN_URLS', '--stun-urls');
    expectRefused(
      () => loadConfig({ PARLEY_TURN_URLS: 'stun:x.example', PARLEY_TURN_SECRET: 'a-very-long-turn-secret' }),
      'PARLEY_TURN_URLS',
      '--turn-urls',
    );
  });

  it('refuses invite registration without an invite code', () => {
    const err = expectRefused(() => loadConfig({ PARLEY_REGISTRATION: 'invite' }), 'PARLEY_REGISTRATION', '--registration');
    expect(err.message).toContain('PARLEY_INVITE_CODE');
    expect(err.message).toContain('--invite-code');
  });

  it('refuses a TLS certificate without a key, and a key without a certificate', () => {
    const { cert, key } = pemFiles();
    for (const env of [{ PARLEY_TLS_CERT: cert }, { PARLEY_TLS_KEY: key }]) {
      const err = configError(() => loadConfig(env));
      expect(err.message).toContain('PARLEY_TLS_CERT');
      expect(err.message).toContain('--tls-cert');
      expect(err.message).toContain('PARLEY_TLS_KEY');
      expect(err.message).toContain('--tls-key');
    }
  });

  it('refuses a TLS file it cannot read, naming the setting and the file', () => {
    const { cert, key } = pemFiles();
    const missing = path.join(tempDir(), 'no-such-cert.pem');
    let err = expectRefused(() => loadConfig({ PARLEY_TLS_CERT: missing, PARLEY_TLS_KEY: key }), 'PARLEY_TLS_CERT', '--tls-cert');
    expect(err.message).toContain(missing);
    // A folder is not a readable file either (and stays unreadable for root).
    const folder = tempDir();
    err = expectRefused(() => loadConfig({ PARLEY_TLS_CERT: cert, PARLEY_TLS_KEY: folder }), 'PARLEY_TLS_KEY', '--tls-key');
    expect(err.message).toContain(folder);
  });

  it('refuses TURN URLs without a TURN secret', () => {
    const err = expectRefused(() => loadConfig({ PARLEY_TURN_URLS: 'turn:turn.example.org:3478' }), 'PARLEY_TURN_URLS', '--turn-urls');
    expect(err.message).toContain('PARLEY_TURN_SECRET');
  });

  it('refuses out-of-range numbers for the other numeric settings', () => {
    expectRefused(() => loadConfig({ PARLEY_RING_TIMEOUT_S: '0' }), 'PARLEY_RING_TIMEOUT_S', '--ring-timeout-s');
    expectRefused(() => loadConfig({ PARLEY_TURN_TTL_S: '10' }), 'PARLEY_TURN_TTL_S', '--turn-ttl-s');
    expectRefused(() => loadConfig({ PARLEY_TOKEN_TTL_S: 'forever' }), 'PARLEY_TOKEN_TTL_S', '--token-ttl-s');
    expectRefused(() => loadConfig({ PARLEY_MESSAGE_RATE: '0' }), 'PARLEY_MESSAGE_RATE', '--message-rate');
    expectRefused(() => loadConfig({ PARLEY_MESSAGE_BURST: '1e9' }), 'PARLEY_MESSAGE_BURST', '--message-burst');
    expectRefused(() => loadConfig({ PARLEY_FLOOD_DISCONNECT: '-1' }), 'PARLEY_FLOOD_DISCONNECT', '--flood-disconnect');
    expectRefused(() => loadConfig({ PARLEY_SFU_FROM: '1' }), 'PARLEY_SFU_FROM', '--sfu-from');
    expectRefused(() => loadConfig({ PARLEY_SFU_FROM: '65' }), 'PARLEY_SFU_FROM', '--sfu-from');
  });

  it('never repeats a secret it refuses in the message', () => {
    const turnSecret = 'sh0rt-turn';
    let err = expectRefused(() => loadConfig({ PARLEY_TURN_SECRET: turnSecret }), 'PARLEY_TURN_SECRET', '--turn-secret');
    expect(err.message).not.toContain(turnSecret);
    const inviteCode = 'c0de';
    err = expectRefused(
      () => loadConfig({ PARLEY_REGISTRATION: 'invite', PARLEY_INVITE_CODE: inviteCode }),
      'PARLEY_INVITE_CODE',
      '--invite-code',
    );
    expect(err.message).not.toContain(inviteCode);
    const databaseUrl = 'mysql://root:hunter2@db.internal/parley';
    err = expectRefused(() => loadConfig({ PARLEY_DATABASE_URL: databaseUrl }), 'PARLEY_DATABASE_URL', '--database-url');
    expect(err.message).toMatch(/must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(err.message).not.toContain('hunter2');
    // A Redis URL may hold one too.
    err = expectRefused(() => loadConfig({ PARLEY_REDIS_URL: 'http://user:hunter22@redis' }), 'PARLEY_REDIS_URL', '--redis-url');
    expect(err.message).toContain('redis://');
    expect(err.message).not.toContain('hunter22');
    err = expectRefused(() => loadConfig({ PARLEY_METRICS_TOKEN: 'sh0rt-token' }), 'PARLEY_METRICS_TOKEN', '--metrics-token');
    expect(err.message).toContain('at least 16 characters');
    expect(err.message).not.toContain('sh0rt-token');
  });

  it('takes an http:// or https:// public URL only', () => {
    expect(loadConfig({}, extractSettingFlags(['--public-url', 'http://parley.lan:7070']).flags).publicUrl).toBe('http://parley.lan:7070');
    for (const bad of ['parley.example.org', 'ftp://parley.example.org', 'https://']) {
      expectRefused(() => loadConfig({ PARLEY_PUBLIC_URL: bad }), 'PARLEY_PUBLIC_URL', '--public-url');
    }
  });

  it('takes redis:// and rediss:// URLs only', () => {
    expect(loadConfig({}, { redisUrl: 'rediss://redis.example.org:6380' }).redisUrl).toBe('rediss://redis.example.org:6380');
    expectRefused(() => loadConfig({ PARLEY_REDIS_URL: 'localhost:6379' }), 'PARLEY_REDIS_URL', '--redis-url');
  });
});

describe('the database', () => {
  it('is the SQLite file in the data dir unless a PostgreSQL URL is given, by variable or flag (the flag wins)', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ PARLEY_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    const url = 'postgres://parley:pw@db.internal:5432/parley';
    expect(loadConfig({ PARLEY_DATABASE_URL: url }).databaseUrl).toBe(url);
    const { flags } = extractSettingFlags(['--database-url', 'postgresql://other@db2/parley']);
    expect(loadConfig({ PARLEY_DATABASE_URL: url }, flags).databaseUrl).toBe('postgresql://other@db2/parley');
    // Admin commands resolve the same store without the serving settings.
    expect(resolveStore({ PARLEY_DATABASE_URL: url, PARLEY_DATA_DIR: '/srv/p', PARLEY_PORT: 'not checked here' })).toEqual({ dataDir: '/srv/p', databaseUrl: url });
    expect(() => resolveStore({ PARLEY_DATABASE_URL: 'sqlite:///x' })).toThrow(ConfigError);
  });
});

describe('settingsHelp', () => {
  it('lists every setting with its flag, variable, help and default', () => {
    const help = settingsHelp();
    const lines = help.split('\n');
    expect(lines).toHaveLength(SETTINGS.length);
    for (const s of SETTINGS) {
      const line = lines.find((l) => l.includes(`${s.flag} / ${s.env}`));
      expect(line, s.env).toBeDefined();
      expect(line).toContain(s.help);
      if (s.default) expect(line).toContain(`(default ${s.default})`);
    }
  });

  it('has a distinct variable and flag for every setting', () => {
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.flag)).size).toBe(SETTINGS.length);
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^PARLEY_[A-Z_]+$/);
      expect(s.flag).toMatch(/^--[a-z-]+$/);
    }
  });
});
