/**
 * The deployment kit in deploy/, exercised with the real tools where they
 * run here: nginx -t on the site config (with a test certificate and the
 * upstream templated to loopback nodes), systemd-analyze verify on the unit,
 * coturn started on loopback with the example config (a TURN allocation with
 * parley-server's own credentials, and a relay to a private address refused),
 * and the compose file read as YAML and checked against the other files.
 * Docker itself does not run on our CI machines: the image and the compose
 * stack are not built or started here.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { userInfo } from 'node:os';
import getPort from 'get-port';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SETTINGS } from '../src/config.js';
import { iceServersFor } from '../src/ice-servers.js';
import { allocateWhenUp, DEPLOY, missingTool as missing, startCoturn, tool } from './coturn.js';
import { startTestServer, tempDir } from './harness.js';
import { spawnOwned } from './owned-process.js';
import { lifetimeOf, TurnClient } from './turn-client.js';

const missingTool = (name: string, pkg: string) => missing(name, pkg, 'deploy-kit.test.ts');

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');

/** The private and loopback ranges the coturn config must refuse to relay to, as denied-peer-ip values. */
const MUST_DENY = [
  '10.0.0.0-10.255.255.255',
  '172.16.0.0-172.31.255.255',
  '192.168.0.0-192.168.255.255',
  '127.0.0.0-127.255.255.255',
  '169.254.0.0-169.254.255.255',
  '100.64.0.0-100.127.255.255',
  '0.0.0.0-0.255.255.255',
  '::1',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  '::ffff:0:0:0-::ffff:0:ffff:ffff',
  // IPv4-compatible (::a.b.c.d) forms of private and loopback ranges.
  '::a00:0-::aff:ffff',
  '::7f00:0-::7fff:ffff',
  '::a9fe:0-::a9fe:ffff',
  '::ac10:0-::ac1f:ffff',
  '::c0a8:0-::c0a8:ffff',
  '::6440:0-::647f:ffff',
];

/** The site config with its nodes, certificate and (when given) listeners moved to loopback; the certificate must be in `dir`. */
function templatedSite(dir: string, nodes: number[], listen?: { http: number; https: number }): string {
  let site = read('nginx/parley.conf')
    .replace(/# nodes:begin\n[\s\S]*# nodes:end/, `# nodes:begin\n${nodes.map((p) => `    server 127.0.0.1:${p};\n`).join('')}    # nodes:end`)
    .replaceAll('/etc/letsencrypt/live/parley.example.com/fullchain.pem', `${dir}/cert.pem`)
    .replaceAll('/etc/letsencrypt/live/parley.example.com/privkey.pem', `${dir}/key.pem`);
  expect(site).not.toContain('/etc/letsencrypt');
  if (listen) {
    site = site
      .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listen.http};`)
      .replace(/^(\s*)listen 443 ssl http2;$/m, `$1listen 127.0.0.1:${listen.https} ssl http2;`)
      .replace(/^\s*listen \[::\]:\d+.*\n/gm, '');
    expect(site).not.toMatch(/listen (80|443|\[)/);
  }
  return site;
}

async function testCertificate(dir: string): Promise<void> {
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=parley.test']);
}

/** GET over TLS from a chosen loopback source address: 127.0.0.1 is the config's monitoring network, others are outside it. */
function httpsGet(url: string, rawPath: string, localAddress: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname, port, path: rawPath, localAddress, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('deploy/nginx/parley.conf', () => {
  it.skipIf(missingTool('nginx', 'nginx'))('passes nginx -t with a certificate and the upstream templated to local nodes', async () => {
    const dir = tempDir();
    await testCertificate(dir);
    const site = read('nginx/parley.conf');
    expect(site).toMatch(/# nodes:begin\n[\s\S]*# nodes:end/);
    expect(site).toMatch(/^\s*hash \$remote_addr consistent;/m);
    expect(site).toMatch(/location \/socket\.io\/ \{/);
    expect(site).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(site).toMatch(/listen 443 ssl http2;/);
    writeFileSync(`${dir}/site.conf`, templatedSite(dir, [17071, 17072]));
    writeFileSync(`${dir}/nginx.conf`, `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/site.conf;\n}\n`);
    const res = spawnSync(tool('nginx') as string, ['-t', '-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`], { encoding: 'utf8' });
    expect(res.stderr).toMatch(/syntax is ok/);
    expect(res.stderr).toMatch(/test is successful/);
    expect(res.status).toBe(0);
  });

  it.skipIf(missingTool('nginx', 'nginx'))(
    'run in front of a node, gives /metrics to the monitoring network only and refuses /metrics/, /METRICS and the like to everyone',
    { timeout: 30_000 },
    async () => {
      const server = await startTestServer({ trustProxy: ['loopback'] });
      const dir = tempDir();
      await testCertificate(dir);
      for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, t));
      const listen = { http: await getPort({ host: '127.0.0.1' }), https: await getPort({ host: '127.0.0.1' }) };
      writeFileSync(`${dir}/site.conf`, templatedSite(dir, [server.port], listen));
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`).join('\n');
      const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
      writeFileSync(`${dir}/nginx.conf`, `${user}worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n${temp}\n  include ${dir}/site.conf;\n}\n`);
      // SIGTERM when this process ends, however it ends: the master takes its worker down with it (owned-process.ts).
      const nginx = spawnOwned(tool('nginx') as string, ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`], { stdio: 'ignore', deathSignal: 'SIGTERM' });
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      try {
        const url = `https://127.0.0.1:${listen.https}`;
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            if ((await httpsGet(url, '/healthz', '127.0.0.1')).status === 200) break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        const monitoring = await httpsGet(url, '/metrics', '127.0.0.1');
        expect(monitoring.status).toBe(200);
        expect(monitoring.body).toContain('parley_connected_sessions');
        expect((await httpsGet(url, '/metrics', '127.0.0.77')).status).toBe(403);
        for (const from of ['127.0.0.1', '127.0.0.77']) {
          for (const variant of ['/metrics/', '/METRICS', '/Metrics', '/metrics/x', '//metrics/', '/./metrics/', '/%6Detrics/', '/metrics/?x=1']) {
            const res = await httpsGet(url, variant, from);
            // 403 is nginx's own refusal: the node is never asked.
            expect(res.status, `${variant} from ${from}`).toBe(403);
            expect(res.body, `${variant} from ${from}`).not.toContain('parley_');
          }
        }
      } finally {
        nginx.kill('SIGTERM');
        await exited;
      }
    },
  );
});

describe('deploy/systemd/parley-server.service', () => {
  it('is hardened: its own state directory, no new privileges, a read-only system', () => {
    const unit = read('systemd/parley-server.service');
    for (const line of ['DynamicUser=yes', 'StateDirectory=parley-server', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'Environment=PARLEY_DATA_DIR=/var/lib/parley-server']) {
      expect(unit.split('\n')).toContain(line);
    }
  });

  it.skipIf(missingTool('systemd-analyze', 'systemd'))('passes systemd-analyze verify', () => {
    const res = spawnSync(tool('systemd-analyze') as string, ['verify', path.join(DEPLOY, 'systemd/parley-server.service')], { encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`).toBe('');
    expect(res.status).toBe(0);
  });
});

describe('deploy/coturn/turnserver.conf', () => {
  const conf = read('coturn/turnserver.conf');

  it('uses the TURN REST secret scheme and refuses to relay to private and loopback addresses', () => {
    const lines = conf.split('\n').map((l) => l.trim());
    expect(lines).toContain('use-auth-secret');
    const denied = lines.filter((l) => l.startsWith('denied-peer-ip=')).map((l) => l.slice('denied-peer-ip='.length));
    for (const range of MUST_DENY) expect(denied).toContain(range);
    // coturn reads a lower bound of :: as none, and ranks IPv4 below IPv6: such a range would refuse every IPv4 peer.
    expect(denied.filter((r) => /^::(-|$)/.test(r))).toEqual([]);
    expect(lines).toContain('no-multicast-peers');
  });

  it.skipIf(missingTool('turnserver', 'coturn'))(
    'coturn starts with it, accepts the credentials parley-server hands out, refuses a wrong secret and a private peer',
    { timeout: 60_000 },
    async () => {
      const secret = 'a-shared-turn-secret-for-this-test';
      const coturn = await startCoturn(secret);
      const turn = new TurnClient('127.0.0.1', coturn.port);
      try {
        // It answers once its listener is up; until then requests go unanswered.
        const [server] = iceServersFor({ stunUrls: [], turnUrls: ['turn:127.0.0.1'], turnSecret: secret, turnTtlS: 600 }, 'account-id').filter((s) => s.username);
        const allocated = await allocateWhenUp(turn, server?.username ?? '', server?.credential ?? '');
        expect(allocated, coturn.output()).toMatchObject({ ok: true });
        // Hardening: no relay to the host's network or loopback, relay to a public address.
        expect(await turn.permit('10.1.2.3')).toMatchObject({ ok: false, code: 403 });
        expect(await turn.permit('127.0.0.1')).toMatchObject({ ok: false, code: 403 });
        expect(await turn.permit('192.168.1.20')).toMatchObject({ ok: false, code: 403 });
        expect(await turn.permit('8.8.8.8')).toMatchObject({ ok: true });

        const [wrong] = iceServersFor({ stunUrls: [], turnUrls: ['turn:127.0.0.1'], turnSecret: 'another-secret-entirely', turnTtlS: 600 }, 'account-id');
        const other = new TurnClient('127.0.0.1', coturn.port);
        try {
          expect(await other.allocate(wrong?.username ?? '', wrong?.credential ?? '')).toMatchObject({ ok: false, code: 401 });
        } finally {
          other.close();
        }
        // Every line of the file was understood (the refusals above are logged as ERROR, by design).
        expect(coturn.output()).not.toMatch(/Bad configuration format|Wrong address format|[Uu]nknown option/);
        expect(coturn.output()).toMatch(/A peer IP 10\.1\.2\.3 denied in the range: 10\.0\.0\.0-10\.255\.255\.255/);
      } finally {
        turn.close();
        coturn.stop();
      }
    },
  );

  it.skipIf(missingTool('turnserver', 'coturn'))(
    "a credential opens relays until it expires; a relay opened before is refreshed after, stale nonce or not (coturn does not check the expiry again): what docs/self-hosting.md says",
    { timeout: 60_000 },
    async () => {
      const secret = 'a-shared-turn-secret-for-this-test';
      // Nonces go stale after 2 s here (600 s in the kit): a fresh nonce does not bring the expiry check back either.
      const coturn = await startCoturn(secret, { flags: ['--stale-nonce=2'] });
      const grant = (ttl: number) => iceServersFor({ stunUrls: [], turnUrls: ['turn:127.0.0.1'], turnSecret: secret, turnTtlS: ttl }, 'account-id').filter((s) => s.username)[0];
      const warm = new TurnClient('127.0.0.1', coturn.port);
      const early = new TurnClient('127.0.0.1', coturn.port);
      const late = new TurnClient('127.0.0.1', coturn.port);
      try {
        const long = grant(600);
        expect(await allocateWhenUp(warm, long?.username ?? '', long?.credential ?? '')).toMatchObject({ ok: true });
        const short = grant(3);
        expect(await early.allocate(short?.username ?? '', short?.credential ?? '')).toMatchObject({ ok: true });
        await new Promise((r) => setTimeout(r, 4500));
        expect(await late.allocate(short?.username ?? '', short?.credential ?? '')).toMatchObject({ ok: false, code: 401 });
        const refreshed = await early.refresh(600);
        expect(refreshed).toMatchObject({ ok: true });
        expect(lifetimeOf(refreshed)).toBe(600);
        expect(await early.permit('8.8.8.8')).toMatchObject({ ok: true });
      } finally {
        for (const c of [warm, early, late]) c.close();
        coturn.stop();
      }
    },
  );

  it.skipIf(missingTool('turnserver', 'coturn'))(
    'on an IPv6 relay, coturn refuses the IPv4-compatible (::a.b.c.d), mapped, unique-local and site-local forms of private peers, and relays to public ones of both families',
    { timeout: 60_000 },
    async () => {
      const secret = 'a-shared-turn-secret-for-this-test';
      const coturn = await startCoturn(secret, { ipv6: true });
      const [server] = iceServersFor({ stunUrls: [], turnUrls: ['turn:127.0.0.1'], turnSecret: secret, turnTtlS: 600 }, 'account-id').filter((s) => s.username);
      const v4 = new TurnClient('127.0.0.1', coturn.port);
      const v6 = new TurnClient('127.0.0.1', coturn.port);
      try {
        // An IPv4 relay for one client (once coturn answers), an IPv6 one for the other.
        expect(await allocateWhenUp(v4, server?.username ?? '', server?.credential ?? ''), coturn.output()).toMatchObject({ ok: true });
        expect(await v6.allocate(server?.username ?? '', server?.credential ?? '', 6), coturn.output()).toMatchObject({ ok: true });
        const refused = ['::127.0.0.1', '::10.1.2.3', '::192.168.1.20', '::169.254.169.254', '::172.16.0.1', '::100.64.0.1', '::ffff:127.0.0.1', 'fd00::2', 'fec0::1', '::1'];
        for (const peer of refused) expect(await v6.permit(peer), peer).toMatchObject({ ok: false, code: 403 });
        expect(await v6.permit('2001:4860:4860::8888')).toMatchObject({ ok: true });
        // The IPv6 ranges leave IPv4 peers alone: a public one is still relayed to (a range starting at :: would refuse it).
        expect(await v4.permit('8.8.8.8')).toMatchObject({ ok: true });
        expect(await v4.permit('127.0.0.1')).toMatchObject({ ok: false, code: 403 });
        expect(coturn.output()).not.toMatch(/Bad configuration format|Wrong address format|[Uu]nknown option/);
      } finally {
        v4.close();
        v6.close();
        coturn.stop();
      }
    },
  );
});

describe('deploy/docker-compose.yml (not run here: no Docker on our CI machines)', () => {
  interface Service {
    build?: { context: string; dockerfile: string };
    image?: string;
    environment?: Record<string, string>;
    command?: string[];
    volumes?: string[];
    networks?: Record<string, { ipv4_address?: string }> | string[];
  }
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const nodes = Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'deploy/Dockerfile');
  /** The variable names a compose value interpolates. */
  const variables = (value: string) => [...value.matchAll(/\$\{(\w+)/g)].map((m) => m[1]);

  it('runs two or more parley-server nodes from deploy/Dockerfile, nginx, Redis, PostgreSQL and coturn', () => {
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['nginx', 'redis', 'postgres', 'coturn']));
    expect(services.nginx?.volumes).toContain('./nginx/parley.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(services.coturn?.volumes).toContain('./coturn/turnserver.conf:/etc/coturn/turnserver.conf:ro');
  });

  it('gives coturn the same secret as every node, and the nodes the same database as PostgreSQL and the same Redis', () => {
    const coturnSecret = (services.coturn?.command ?? []).find((a) => a.startsWith('--static-auth-secret='));
    expect(coturnSecret).toBeDefined();
    const [secretVar] = variables(coturnSecret as string);
    const pgEnv = services.postgres?.environment ?? {};
    for (const [name, node] of nodes) {
      const env = node.environment ?? {};
      expect(variables(env.PARLEY_TURN_SECRET ?? ''), name).toEqual([secretVar]);
      const db = new URL((env.PARLEY_DATABASE_URL ?? '').replace(/\$\{[^}]*\}/g, 'x'));
      expect(db.hostname).toBe('postgres');
      expect(db.username).toBe(pgEnv.POSTGRES_USER);
      expect(db.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
      expect(variables(env.PARLEY_DATABASE_URL ?? '')).toEqual(variables(pgEnv.POSTGRES_PASSWORD ?? ''));
      const redis = new URL(env.PARLEY_REDIS_URL ?? '');
      expect([redis.protocol, redis.hostname], name).toEqual(['redis:', 'redis']);
      // Every setting is one the server knows.
      const known = new Set(SETTINGS.map((s) => s.env));
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
    }
  });

  it('puts the nodes where nginx/parley.conf sends traffic, and .env.example names every variable it needs', () => {
    const upstream = /# nodes:begin\n([\s\S]*)# nodes:end/.exec(read('nginx/parley.conf'))?.[1] ?? '';
    const addresses = nodes.map(([, n]) => Object.values(n.networks as Record<string, { ipv4_address?: string }>)[0]?.ipv4_address);
    for (const address of addresses) expect(upstream).toContain(`server ${address}:7070`);
    const required = new Set([...read('docker-compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]));
    const example = read('.env.example');
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('builds a non-root image in stages from node:20-slim', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM node:20-slim/gm)?.length).toBe(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/g\+\+|make/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  });
});
