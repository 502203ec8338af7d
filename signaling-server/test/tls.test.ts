import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get, request } from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { expectOk, openSocket, startTestServer, tempDir } from './harness.js';

function selfSignedCertificate(): { cert: string; key: string } {
  const dir = tempDir();
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-days', '1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

function httpsJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data), hsts: res.headers['strict-transport-security'] }));
    }).on('error', reject);
  });
}

describe('TLS', () => {
  it('serves https and wss with PARLEY_TLS_CERT / PARLEY_TLS_KEY', async () => {
    const files = selfSignedCertificate();
    const { tls } = loadConfig({ PARLEY_TLS_CERT: files.cert, PARLEY_TLS_KEY: files.key });
    const server = await startTestServer({ tls });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(files.cert);
    // HSTS on every answer when this server terminates TLS (the nginx example sends it when nginx does).
    expect(await httpsJson(`${server.url}/healthz`, ca)).toMatchObject({ status: 200, body: { status: 'ok' }, hsts: 'max-age=63072000' });
    expect((await httpsJson(`${server.url}/api/nothing-here`, ca)).hsts).toBe('max-age=63072000');
    // Over plain http it would mean nothing (and a proxy in front sets its own): none.
    const plain = await startTestServer();
    expect((await fetch(`${plain.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();

    const login = await new Promise<{ token: string }>((resolve, reject) => {
      const body = JSON.stringify({ username: 'alice', password: 'alice-password', displayName: 'Alice' });
      const req = request(
        `${server.url}/api/register`,
        { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
        (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString()));
          res.on('end', () => resolve(JSON.parse(data) as { token: string }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const socket = openSocket(server.url, { token: login.token }, { ca });
    const ready = await new Promise<{ user: { username: string } }>((resolve, reject) => {
      socket.on('session:ready', resolve);
      socket.on('connect_error', reject);
    });
    expect(ready.user.username).toBe('alice');
    expect(socket.io.engine.transport.name).toBe('websocket');
    expectOk(await socket.timeout(5000).emitWithAck('directory:list', {}));
  });

  it('refuses to start when the certificate cannot be read, naming the setting', () => {
    expect(() => loadConfig({ PARLEY_TLS_CERT: '/nonexistent/cert.pem', PARLEY_TLS_KEY: '/nonexistent/key.pem' })).toThrow(
      /PARLEY_TLS_CERT \(--tls-cert\): cannot read/,
    );
  });
});
