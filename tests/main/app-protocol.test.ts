import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.js';
import { fake, net, protocol } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { installAppProtocol, registerAppScheme } = await import('../../src/main/app-protocol.js');

describe('app:// protocol', () => {
  let root: string;
  let rendererDir: string;
  let appProtocol: { dispose(): void };

  beforeEach(async () => {
    fake.reset();
    root = await mkdtemp(join(tmpdir(), 'parley-protocol-'));
    rendererDir = join(root, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("parley")');
    await writeFile(join(root, 'secret.txt'), 'TOP SECRET');
    await symlink(join(root, 'secret.txt'), join(rendererDir, 'escape.txt'));
    appProtocol = installAppProtocol({ rendererDir });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('registers app: as a privileged standard, secure scheme with fetch and V8 code cache before ready', () => {
    registerAppScheme();
    expect(protocol.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true, codeCache: true }) as unknown },
    ]);
  });

  it('serves index.html for app://parley/ with the CSP header', async () => {
    const response = await fake.request('app://parley/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Parley</title>');
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves files under the renderer folder', async () => {
    const response = await fake.request('app://parley/assets/app.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('console.log("parley")');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 404 for a missing file', async () => {
    expect((await fake.request('app://parley/nope.js')).status).toBe(404);
    expect((await fake.request('app://parley/assets')).status).toBe(404);
  });

  it.each([
    'app://parley/../../etc/passwd',
    'app://parley/..%2f..%2f..%2fetc%2fpasswd',
    'app://parley/%2e%2e/%2e%2e/secret.txt',
    'app://parley/..%2fsecret.txt',
    'app://parley/assets/..%2f..%2fsecret.txt',
    'app://parley/..%5csecret.txt',
    'app://parley/escape.txt',
    'app://parley/index.html%00.js',
  ])('refuses to serve anything outside the renderer folder: %s', async (url) => {
    const response = await fake.request(url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toContain('TOP SECRET');
    expect(net.fetch).not.toHaveBeenCalled();
  });

  it('refuses other hosts, ports and credentials', async () => {
    for (const url of ['app://evil/index.html', 'app://parley.evil/', 'app://parley:8080/', 'app://user@parley/']) {
      expect((await fake.request(url)).status, url).toBe(403);
    }
    expect(net.fetch).not.toHaveBeenCalled();
  });

  it('answers only GET and HEAD', async () => {
    expect((await fake.request('app://parley/', 'POST')).status).toBe(405);
    const head = await fake.request('app://parley/', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('stops answering after dispose', () => {
    expect(protocol.isProtocolHandled('app')).toBe(true);
    appProtocol.dispose();
    expect(protocol.isProtocolHandled('app')).toBe(false);
  });
});
