/**
 * The Host rule (src/http/hosts.ts) against DNS rebinding, over HTTP and at
 * the Socket.IO handshake, and the start-up warning for a server reachable
 * over the network in clear text.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { openSocket, postJson, register, startTestServer, type TestServer } from './harness.js';

/** A request with the Host header given (fetch() would send the URL's). */
function withHost(server: TestServer, host: string, path = '/api/info', body?: unknown): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host, ...(payload !== undefined && { 'content-type': 'application/json' }) };
    const req = request({ hostname: '127.0.0.1', port, path, method: payload === undefined ? 'GET' : 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function expectRefused(server: TestServer, host: string, path?: string, body?: unknown): Promise<void> {
  const res = await withHost(server, host, path, body);
  expect(res.status, host).toBe(421);
  expect(JSON.parse(res.body), host).toMatchObject({ code: 'forbidden_host' });
}

/** Whether a signed-in device gets its session when its handshake names `host`. */
function handshake(server: TestServer, token: string, host: string): Promise<'ready' | 'refused'> {
  const socket = openSocket(server.url, { token }, { extraHeaders: { host } });
  return new Promise((resolve) => {
    socket.on('session:ready', () => resolve('ready'));
    socket.on('connect_error', () => resolve('refused'));
  });
}

describe('Host header', () => {
  it('on a loopback server: loopback names only, for HTTP and the Socket.IO handshake', async () => {
    const server = await startTestServer();
    const port = server.port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', '127.0.0.1']) {
      expect((await withHost(server, host)).status, host).toBe(200);
    }
    for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', `127.0.0.1.nip.io:${port}`, `user@127.0.0.1:${port}`, '999.1.1.1']) {
      await expectRefused(server, host);
    }
    // A rebound page cannot make an account on an open dev server...
    await expectRefused(server, `evil.example:${port}`, '/api/register', { username: 'mallory', password: 'long enough', displayName: 'M' });
    expect((await postJson(`${server.url}/api/login`, { username: 'mallory', password: 'long enough' })).status).toBe(401);
    // ...nor open the realtime connection, by polling or WebSocket.
    expect((await withHost(server, `evil.example:${port}`, '/socket.io/?EIO=4&transport=polling')).status).toBe(403);
    expect((await withHost(server, `localhost:${port}`, '/socket.io/?EIO=4&transport=polling')).status).toBe(200);
    const alice = await register(server, 'alice');
    expect(await handshake(server, alice.token, `evil.example:${port}`)).toBe('refused');
    expect(await handshake(server, alice.token, `localhost:${port}`)).toBe('ready');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_rejected_messages_total\{code="forbidden_host"\} 9$/m);
  });

  it('with PARLEY_PUBLIC_URL: also its host name, in any case and with any port, even behind a proxy', async () => {
    const server = await startTestServer({ publicUrl: 'https://parley.example.org', trustProxy: ['loopback'] });
    for (const host of ['parley.example.org', 'Parley.Example.ORG:443', `localhost:${server.port}`]) {
      expect((await withHost(server, host)).status, host).toBe(200);
    }
    for (const host of ['evil.example', 'parley.example.org.evil.example', 'example.org']) await expectRefused(server, host);
  });

  it('behind a trusted proxy without PARLEY_PUBLIC_URL: not checked (the proxy passes on the name users type)', async () => {
    const server = await startTestServer({ trustProxy: ['loopback'] });
    expect((await withHost(server, 'parley.example.org')).status).toBe(200);
  });
});

describe('start-up on a network address', () => {
  /** Starts a server with its log lines collected. */
  async function startLogged(overrides: Parameters<typeof startTestServer>[0]): Promise<{ server: TestServer; lines: { level: number; msg: string }[] }> {
    const lines: { level: number; msg: string }[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const server = await startTestServer(overrides, { logger });
    return { server, lines };
  }
  const clearTextWarning = (lines: { level: number; msg: string }[]) => lines.filter((l) => l.level === 40 && /without TLS and without PARLEY_TRUST_PROXY/.test(l.msg));

  it('warns when it listens beyond loopback without TLS and without a trusted proxy, and does not check Host', async () => {
    const { server, lines } = await startLogged({ host: '0.0.0.0' });
    expect(clearTextWarning(lines)).toHaveLength(1);
    expect(clearTextWarning(lines)[0]?.msg).toMatch(/PARLEY_TLS_CERT/);
    // Its real clients reach it by names it cannot know: no Host check without PARLEY_PUBLIC_URL.
    expect((await withHost(server, 'parley.lan:7070')).status).toBe(200);
  });

  it('does not warn on loopback or behind a trusted proxy', async () => {
    expect(clearTextWarning((await startLogged({})).lines)).toHaveLength(0);
    expect(clearTextWarning((await startLogged({ host: '0.0.0.0', trustProxy: ['loopback'] })).lines)).toHaveLength(0);
  });
});
