import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, extractSettingFlags, loadConfig } from '../src/config.js';
import { DESKTOP_APP_ORIGIN, originAllowed } from '../src/http/origins.js';
import { CONTENT_SECURITY_POLICY } from '../src/http/web-policy.js';
import { openSocket, postJson, register, startTestServer, tempDir, type TestServer } from './harness.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body>Parley web</body></html>';
const SCRIPT = 'console.log("parley");\n';
const SECRET = 'TOP SECRET: outside the web root';

/** A built web client, with decoys named like the server's own paths and a secret beside it. */
function webFolder(): string {
  const base = tempDir();
  writeFileSync(path.join(base, 'secret.txt'), SECRET);
  const dir = path.join(base, 'web');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), SCRIPT);
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, '.env'), 'DOTFILE=1');
  // None of these may ever be served: the server's routes come first.
  mkdirSync(path.join(dir, 'api'));
  writeFileSync(path.join(dir, 'api', 'info'), 'decoy');
  writeFileSync(path.join(dir, 'api', 'nope'), 'decoy');
  writeFileSync(path.join(dir, 'healthz'), 'decoy');
  writeFileSync(path.join(dir, 'metrics'), 'decoy');
  mkdirSync(path.join(dir, 'socket.io'));
  writeFileSync(path.join(dir, 'socket.io', 'index.html'), 'decoy');
  return dir;
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('permissions-policy')).toBe('microphone=(self), camera=(self), speaker-selection=(self)');
}

/** A GET with the path sent exactly as given (fetch() would resolve `%2e%2e` before sending); the body as the bytes sent, compressed or not. */
function rawBytes(server: TestServer, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function rawGet(server: TestServer, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const res = await rawBytes(server, rawPath, headers);
  return { ...res, body: res.body.toString('utf8') };
}

describe('web root', () => {
  it('serves index.html at / with the security headers and no-cache', async () => {
    const server = await startTestServer({ webRoot: webFolder() });
    const res = await fetch(`${server.url}/`, { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(res.headers);
    expect(await res.text()).toBe(INDEX);
    // The same without an Accept header, and by name.
    const plain = await fetch(`${server.url}/`, { headers: { accept: '' } });
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe(INDEX);
    const named = await fetch(`${server.url}/index.html`);
    expect(named.headers.get('cache-control')).toBe('no-cache');
    expect(await named.text()).toBe(INDEX);
  });

  it('serves hashed assets with their content type and a long cache, other files with the default', async () => {
    const server = await startTestServer({ webRoot: webFolder() });
    const res = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(res.headers);
    expect(await res.text()).toBe(SCRIPT);
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).not.toMatch(/immutable/);
    await icon.text();
  });

  it('answers a page load of a client route with index.html, and anything else that is missing with 404', async () => {
    const server = await startTestServer({ webRoot: webFolder() });
    for (const route of ['/contacts', '/calls/123', '/settings/audio?tab=devices', '/assets']) {
      const res = await fetch(`${server.url}${route}`, { headers: HTML });
      expect(res.status, route).toBe(200);
      expect(res.headers.get('cache-control'), route).toBe('no-cache');
      expect(res.headers.get('vary'), route).toMatch(/Accept/);
      expectSecurityHeaders(res.headers);
      expect(await res.text(), route).toBe(INDEX);
    }
    const head = await fetch(`${server.url}/contacts`, { method: 'HEAD', headers: HTML });
    expect(head.status).toBe(200);

    const misses: [string, RequestInit][] = [
      ['/nope.js', {}], // fetch() sends Accept: */*
      ['/nope.js', { headers: { accept: '*/*' } }],
      ['/contacts', { headers: { accept: 'application/json' } }],
      ['/contacts', { headers: { accept: 'text/html;q=0, */*' } }],
      ['/assets/missing-123.js', { headers: HTML }], // a missing script is never a page
      ['/contacts', { method: 'POST', headers: HTML }],
      ['/.env', {}], // dotfiles are not served
    ];
    for (const [route, init] of misses) {
      const res = await fetch(`${server.url}${route}`, init);
      const label = `${init.method ?? 'GET'} ${route} ${JSON.stringify(init.headers ?? {})}`;
      expect(res.status, label).toBe(404);
      expect(await res.json(), label).toMatchObject({ code: 'not_found' });
    }
  });

  it('never shadows /api, /healthz, /metrics or /socket.io/', async () => {
    const server = await startTestServer({ webRoot: webFolder() });
    for (const headers of [{}, HTML]) {
      const info = await fetch(`${server.url}/api/info`, { headers });
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ name: 'parley-server', protocol: 2 });

      const missing = await fetch(`${server.url}/api/nope`, { headers });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 'not_found' });

      const health = await fetch(`${server.url}/healthz`, { headers });
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const metrics = await fetch(`${server.url}/metrics`, { headers });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await metrics.text()).toContain('parley_connected_sessions');

      const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers });
      expect(polling.status).toBe(200);
      const handshake = await polling.text();
      expect(handshake).toMatch(/^0\{/);
      expect(JSON.parse(handshake.slice(1))).toHaveProperty('sid');

      // The reserved paths' neighbours are not client routes either.
      // Nor are other spellings of them: routing is strict and case-sensitive.
      for (const route of ['/socket.io', '/api', '/healthz/x', '/metrics/x', '/metrics/', '/METRICS', '/Metrics/', '/healthz/', '/HEALTHZ', '/API/info']) {
        const res = await fetch(`${server.url}${route}`, { headers });
        expect(res.status, route).toBe(404);
        const text = await res.text();
        expect(text, route).not.toContain('decoy');
        expect(text, route).not.toContain('parley_');
      }
    }
    const register = await postJson(`${server.url}/api/register`, { username: 'alice', password: 'alice-password', displayName: 'Alice' }, HTML);
    expect(register.status).toBe(201);
  });

  it('does not let .. escape the folder', async () => {
    const server = await startTestServer({ webRoot: webFolder() });
    const attempts = [
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/../secret.txt',
      '/%2E%2E%5csecret.txt',
      '//../secret.txt',
    ];
    for (const attempt of attempts) {
      for (const headers of [{}, HTML]) {
        const res = await rawGet(server, attempt, headers);
        const label = `${attempt} ${JSON.stringify(headers)}`;
        expect(res.body, label).not.toContain('TOP SECRET');
        expect(res.body, label).not.toMatch(/root:/);
        // Either a plain 404 or, for a page load, the client's index.
        if (res.status === 200) expect(res.body, label).toBe(INDEX);
        else expect([400, 403, 404], label).toContain(res.status);
      }
    }
  });

  it('does not follow a symbolic link out of the folder, and does follow one within it', async () => {
    const dir = webFolder();
    const outside = path.dirname(dir);
    mkdirSync(path.join(outside, 'private'));
    writeFileSync(path.join(outside, 'private', 'index.html'), SECRET);
    writeFileSync(path.join(outside, 'private', 'notes.txt'), SECRET);
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    symlinkSync(path.join(outside, 'private'), path.join(dir, 'linked'));
    symlinkSync('/etc/passwd', path.join(dir, 'assets', 'passwd.js'));
    mkdirSync(path.join(dir, 'docs'));
    symlinkSync(path.join(outside, 'private', 'index.html'), path.join(dir, 'docs', 'index.html'));
    symlinkSync(path.join(dir, 'favicon.svg'), path.join(dir, 'icon.svg'));
    const server = await startTestServer({ webRoot: dir });
    for (const route of ['/leak.txt', '/linked/notes.txt', '/linked/', '/linked/index.html', '/assets/passwd.js', '/docs/', '/docs/index.html']) {
      for (const headers of [{}, HTML]) {
        const res = await rawGet(server, route, headers);
        expect(res.status, route).toBe(404);
        expect(res.body, route).not.toContain('TOP SECRET');
        expect(res.body, route).not.toContain('root:');
      }
    }
    const inside = await rawGet(server, '/icon.svg');
    expect(inside.status).toBe(200);
    expect(inside.body).toContain('<svg');
  });

  it('does not send a compressed copy that links out of the folder in place of the file, or of a missing one', async () => {
    const dir = webFolder();
    const outside = path.dirname(dir);
    writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), SCRIPT);
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'assets', 'app-abc123.js.br'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'ghost.txt.gz'));
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs', 'index.html'), '<p>docs</p>');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'docs', 'index.html.gz'));
    const server = await startTestServer({ webRoot: dir });
    for (const route of ['/assets/app-abc123.js', '/ghost.txt', '/docs/']) {
      for (const encoding of ['br, gzip', 'gzip', 'br']) {
        const res = await rawGet(server, route, { 'accept-encoding': encoding });
        expect(res.status, `${route} (${encoding})`).toBe(404);
        expect(res.body, route).not.toContain('TOP SECRET');
      }
    }
  });

  it('sends what the build compressed by Accept-Encoding (brotli first), with the same caching, and the plain file otherwise', async () => {
    const dir = webFolder();
    const big = SCRIPT.repeat(200);
    const asset = path.join(dir, 'assets', 'app-abc123.js');
    writeFileSync(asset, big);
    writeFileSync(`${asset}.br`, brotliCompressSync(big));
    writeFileSync(`${asset}.gz`, gzipSync(big));
    const index = path.join(dir, 'index.html');
    writeFileSync(`${index}.br`, brotliCompressSync(INDEX));
    const server = await startTestServer({ webRoot: dir });
    const get = (p: string, encoding?: string) => rawBytes(server, p, encoding === undefined ? {} : { 'accept-encoding': encoding });

    const br = await get('/assets/app-abc123.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(big);
    expect(br.body.length).toBeLessThan(big.length / 10);
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);

    const gz = await get('/assets/app-abc123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(big);

    const plain = await get('/assets/app-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(big);

    // The page itself, compressed, still says to check it is current.
    const page = await get('/', 'br');
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.body).toString()).toBe(INDEX);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('is off without the setting: / is a JSON 404', async () => {
    const server = await startTestServer();
    expect(server.config.webRoot).toBeUndefined();
    for (const headers of [{}, HTML]) {
      const res = await fetch(`${server.url}/`, { headers });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-security-policy')).toBeNull();
      expect(await res.json()).toEqual({ code: 'not_found', message: 'Not found' });
    }
    expect((await fetch(`${server.url}/contacts`, { headers: HTML })).status).toBe(404);
    expect((await fetch(`${server.url}/api/info`)).status).toBe(200);
  });
});

describe('PARLEY_WEB_ROOT', () => {
  function refused(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('PARLEY_WEB_ROOT (--web-root)');
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError, but the settings were accepted');
  }

  it('is unset by default, and resolved to an absolute path when set by variable or flag', () => {
    expect(loadConfig({}).webRoot).toBeUndefined();
    expect(loadConfig({ PARLEY_WEB_ROOT: '' }).webRoot).toBeUndefined();
    const dir = webFolder();
    expect(loadConfig({ PARLEY_WEB_ROOT: dir }).webRoot).toBe(dir);
    const relative = path.relative(process.cwd(), dir);
    expect(loadConfig({}, extractSettingFlags(['--web-root', relative]).flags).webRoot).toBe(dir);
    expect(loadConfig({ PARLEY_WEB_ROOT: '/elsewhere' }, extractSettingFlags([`--web-root=${dir}`]).flags).webRoot).toBe(dir);
  });

  it('refuses to start with a missing folder, a file, or a folder without index.html', () => {
    const missing = path.join(tempDir(), 'no-such-build');
    expect(refused(() => loadConfig({ PARLEY_WEB_ROOT: missing })).message).toContain(missing);
    refused(() => loadConfig({}, extractSettingFlags(['--web-root', missing]).flags));
    const dir = webFolder();
    const file = path.join(dir, 'index.html');
    expect(refused(() => loadConfig({ PARLEY_WEB_ROOT: file })).message).toContain('not a folder');
    const empty = tempDir();
    expect(refused(() => loadConfig({ PARLEY_WEB_ROOT: empty })).message).toContain('index.html');
    mkdirSync(path.join(empty, 'index.html'));
    expect(refused(() => loadConfig({ PARLEY_WEB_ROOT: empty })).message).toContain('index.html');
  });

  it('exports the policy as parley-server/web-policy', async () => {
    const pkgDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const entry = pkg.exports['./web-policy'];
    expect(entry).toEqual({ types: './dist/http/web-policy.d.ts', default: './dist/http/web-policy.js' });
    expect(existsSync(path.join(pkgDir, entry!.types))).toBe(true);
    const built = (await import(pathToFileURL(path.join(pkgDir, entry!.default)).href)) as { CONTENT_SECURITY_POLICY: string };
    expect(built.CONTENT_SECURITY_POLICY).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", 'media-src']) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
  });
});

describe('desktop app origin', () => {
  it('allows app://parley by default, over HTTP and Socket.IO, while other origins stay refused', async () => {
    expect(DESKTOP_APP_ORIGIN).toBe('app://parley');
    expect(originAllowed('app://parley', 'localhost:7070', [])).toBe(true);
    expect(originAllowed('https://evil.example', 'localhost:7070', [])).toBe(false);
    // Only that exact origin: not another host or scheme that looks like it.
    for (const lookalike of ['app://parley.evil.example', 'app://evil', 'https://parley', 'app://parley:1']) {
      expect(originAllowed(lookalike, 'localhost:7070', []), lookalike).toBe(false);
    }

    const server = await startTestServer();
    const alice = await register(server, 'alice');

    const info = await fetch(`${server.url}/api/info`, { headers: { origin: 'app://parley' } });
    expect(info.status).toBe(200);
    expect(info.headers.get('access-control-allow-origin')).toBe('app://parley');
    const login = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' }, { origin: 'app://parley' });
    expect(login.status).toBe(200);
    const evil = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' }, { origin: 'https://evil.example' });
    expect(evil).toMatchObject({ status: 403, body: { code: 'forbidden_origin' } });

    for (const transports of [['websocket'], ['polling']]) {
      const socket = openSocket(server.url, { token: alice.token }, { transports, extraHeaders: { origin: 'app://parley' } });
      await new Promise<void>((resolve, reject) => {
        socket.on('session:ready', () => resolve());
        socket.on('connect_error', reject);
      });
      socket.disconnect();

      const refused = openSocket(server.url, { token: alice.token }, { transports, extraHeaders: { origin: 'https://evil.example' } });
      const err = await new Promise<Error>((resolve, reject) => {
        refused.on('connect', () => reject(new Error(`connected from evil.example over ${transports[0]!}`)));
        refused.on('connect_error', resolve);
      });
      expect(err).toBeInstanceOf(Error);
    }
  });
});
