import { beforeEach, describe, expect, it, vi } from 'vitest';
import { app, fake, FakeBrowserWindow, FakeWebContents, shell } from './fake-electron.js';

import { SECURE } from './secure-preferences.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { installSecurity, secureWebPreferences } = await import('../../src/main/security.js');
const { createTrustedOrigins } = await import('../../src/main/origins.js');

describe('security', () => {
  let security: { dispose(): void };
  let contents: FakeWebContents;

  beforeEach(() => {
    fake.reset();
    security = installSecurity({ origins: createTrustedOrigins() });
    contents = new FakeBrowserWindow({ webPreferences: secureWebPreferences('/p.cjs') }).webContents;
    void contents.loadURL('app://parley/');
  });

  it('gives every window context isolation, the sandbox, no Node and web security', () => {
    expect(secureWebPreferences('/x/preload/index.cjs')).toMatchObject({ preload: '/x/preload/index.cjs', ...SECURE });
  });

  describe('navigation', () => {
    it('prevents navigating to another origin', () => {
      for (const url of ['https://evil.example/', 'http://localhost:5173/', 'file:///etc/passwd', 'app://other/', 'about:blank', 'javascript:alert(1)']) {
        expect(contents.navigate(url).defaultPrevented, url).toBe(true);
      }
    });
    it('prevents navigation in subframes and redirects off the origin', () => {
      expect(contents.navigate('https://evil.example/', false).defaultPrevented).toBe(true);
      expect(contents.redirect('https://evil.example/').defaultPrevented).toBe(true);
    });
    it('lets the app navigate within its own origin', () => {
      expect(contents.navigate('app://parley/index.html#/calls').defaultPrevented).toBe(false);
      expect(contents.redirect('app://parley/').defaultPrevented).toBe(false);
    });
    it('guards webContents created by anyone, not only our windows', () => {
      const other = new FakeWebContents();
      app.emit('web-contents-created', {}, other);
      expect(other.navigate('https://evil.example/').defaultPrevented).toBe(true);
      expect(other.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    });
    it('prevents attaching a <webview>', () => {
      expect(contents.attachWebview().defaultPrevented).toBe(true);
    });
  });

  describe('window.open', () => {
    it('is denied; an http(s) link opens in the browser instead', () => {
      expect(contents.openWindow('https://example.com/help')).toEqual({ action: 'deny' });
      expect(shell.openExternal).toHaveBeenCalledExactlyOnceWith('https://example.com/help');
    });
    it('never hands other schemes to the OS', () => {
      for (const url of ['file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'ms-settings:', 'not a url', 'app://parley/']) {
        expect(contents.openWindow(url), url).toEqual({ action: 'deny' });
      }
      expect(shell.openExternal).not.toHaveBeenCalled();
    });
  });

  describe('permissions', () => {
    it('grants media to the app origin', async () => {
      expect(await fake.requestPermission('media', 'app://parley/')).toBe(true);
      expect(await fake.requestPermission('speaker-selection', 'app://parley/index.html')).toBe(true);
      expect(fake.checkPermission('media', 'app://parley')).toBe(true);
      // Screen sharing: the request is granted, the source is chosen in the app's picker (screen-share.test.ts).
      expect(await fake.requestPermission('display-capture', 'app://parley/')).toBe(true);
      expect(await fake.requestPermission('display-capture', 'https://evil.example/')).toBe(false);
    });
    it('denies media to any other origin', async () => {
      for (const url of ['https://evil.example/', 'http://localhost:5173/', 'app://other/', 'file:///x/index.html', '']) {
        expect(await fake.requestPermission('media', url), url).toBe(false);
        expect(fake.checkPermission('media', url), url).toBe(false);
      }
    });
    it('denies media checked from inside a foreign embedding page', () => {
      expect(fake.checkPermission('media', 'app://parley', { embeddingOrigin: 'https://evil.example' })).toBe(false);
      expect(fake.checkPermission('media', 'app://parley', { embeddingOrigin: 'app://parley' })).toBe(true);
    });
    it('denies every other permission, even to the app', async () => {
      for (const permission of ['notifications', 'geolocation', 'clipboard-read', 'openExternal', 'midi', 'hid', 'window-management'] as const) {
        expect(await fake.requestPermission(permission, 'app://parley/'), permission).toBe(false);
        expect(fake.checkPermission(permission, 'app://parley'), permission).toBe(false);
      }
    });
  });

  it('trusts the dev server origin only when given one', async () => {
    security.dispose();
    installSecurity({ origins: createTrustedOrigins('http://localhost:5173/') });
    expect(await fake.requestPermission('media', 'http://localhost:5173/')).toBe(true);
    expect(await fake.requestPermission('media', 'http://localhost:5174/')).toBe(false);
    const dev = new FakeWebContents();
    app.emit('web-contents-created', {}, dev);
    expect(dev.navigate('http://localhost:5173/index.html').defaultPrevented).toBe(false);
    expect(dev.navigate('http://localhost:8080/').defaultPrevented).toBe(true);
  });

  it('dispose removes its handlers', () => {
    security.dispose();
    expect(app.listenerCount('web-contents-created')).toBe(0);
  });
});
