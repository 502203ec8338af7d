/**
 * The real desktop app under Playwright's Electron driver: the built app
 * (out/) with a temporary profile, against a real signaling server. It needs
 * the Electron binary, which cannot be downloaded everywhere (Electron
 * fetches it from GitHub); where it is missing the suite says so and skips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../signaling-server/src/config.js';
import { createLogger } from '../../signaling-server/src/logger.js';
import { startServer, type RunningServer } from '../../signaling-server/src/server.js';
import { electronBinary } from '../../scripts/electron-binary.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const binary = electronBinary();
if (!binary) {
  console.info('tests/electron skipped: the Electron binary is not installed here (it downloads from GitHub on first use).');
}

describe.skipIf(!binary)('desktop app (Electron)', () => {
  let server: RunningServer;
  let app: ElectronApplication;
  let window: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-electron-'));
    server = await startServer(loadConfig({}, {}, { port: 0, dataDir: path.join(dir, 'server'), logLevel: 'silent' }), {
      logger: createLogger('silent'),
    });
    const res = await fetch(`${server.url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password', displayName: 'Alice' }),
    });
    expect(res.status).toBe(201);
    app = await electron.launch({
      executablePath: binary ?? undefined,
      args: [ROOT, `--user-data-dir=${path.join(dir, 'profile')}`, '--no-sandbox'],
      env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' },
    });
    window = await app.firstWindow();
  });

  afterAll(async () => {
    await app.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens one secure window on the app:// origin with only window.parley exposed', async () => {
    expect(await window.title()).toBe('Parley');
    expect(new URL(window.url()).protocol).toBe('app:');
    expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => Object.keys((window as unknown as { parley: object }).parley).sort())).toEqual(['app', 'desktop', 'session', 'settings', 'shortcuts']);
  });

  it('signs in against the server and remembers the session across a restart of the window', async () => {
    await window.getByLabel('Server').fill(server.url);
    await window.getByLabel('Username').fill('alice');
    await window.getByLabel('Password').fill('alice-password');
    await window.getByRole('button', { name: 'Sign in' }).click();
    await window.getByRole('navigation', { name: 'Sections' }).waitFor();
    await window.reload();
    await window.getByRole('navigation', { name: 'Sections' }).waitFor();
  });

  it('a crashed renderer is reloaded by the app and comes back signed in (a call it was in rejoins, as a reload does)', async () => {
    const crashed = window.waitForEvent('crash');
    await app.evaluate(({ BrowserWindow }) => {
      BrowserWindow.getAllWindows()[0]?.webContents.forcefullyCrashRenderer();
    });
    await crashed;
    const signedIn = async () => {
      for (const w of app.windows()) {
        if (await w.getByRole('navigation', { name: 'Sections' }).isVisible().catch(() => false)) return true;
      }
      return false;
    };
    await expect.poll(signedIn, { timeout: 20_000, interval: 250 }).toBe(true);
  });

  it('closing the window hides it to the tray, and the app keeps running', async () => {
    await app.evaluate(({ BrowserWindow }) => {
      BrowserWindow.getAllWindows()[0]?.close();
    });
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length))
      .toBe(0);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBeGreaterThan(0);
  });
});

