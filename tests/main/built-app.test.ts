/**
 * The bundle electron-vite builds (out/), started against the Electron fake:
 * its preload path, renderer folder and app:// protocol fit together.
 * Skipped, saying so, when there is no build (run `npx electron-vite build`).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.js';
import { startApp } from './start-app.js';

vi.mock('electron', () => import('./fake-electron.js'));

const OUT = resolve(import.meta.dirname, '../../out');
const built = ['main/index.js', 'preload/index.cjs', 'renderer/index.html'].every((file) => existsSync(join(OUT, file)));
if (!built) {
  console.warn('tests/main/built-app.test.ts skipped: no build in out/ (run `npx electron-vite build`)');
}

describe.skipIf(!built)('the built app (out/)', () => {
  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('points the main window at the built, CommonJS preload', async () => {
    const electron = await startApp({ built: true });
    const preload = electron.fake.windows()[0]?.options.webPreferences?.preload;
    expect(preload).toBe(join(OUT, 'preload/index.cjs'));
    const source = await readFile(preload!, 'utf8');
    // A sandboxed preload is a classic script: require('electron'), no import/export.
    expect(source).toMatch(/require\(["']electron["']\)/);
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    expect([...source.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
  });

  it('serves the built renderer and every asset its index.html names, with the CSP', async () => {
    const electron = await startApp({ built: true });
    expect(dirname(electron.fake.windows()[0]!.options.webPreferences!.preload!)).toBe(join(OUT, 'preload'));
    const index = await electron.fake.request('app://parley/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const response = await electron.fake.request(`app://parley/${asset}`);
      expect(response.status, asset).toBe(200);
    }
  });

  it("serves the noise suppressor's worklets and WebAssembly, which the CSP lets the renderer compile", async () => {
    const electron = await startApp({ built: true });
    const files = await readdir(join(OUT, 'renderer/assets'));
    const suppressor = files.filter((f) => /^(rnnoise(_simd)?-.*\.wasm|rnnoise\.worklet-.*\.js)$/.test(f));
    expect(suppressor).toHaveLength(3);
    for (const file of suppressor) {
      const response = await electron.fake.request(`app://parley/assets/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    }
  });

  it('ships a minified renderer that bundles zod/mini only (BENCHMARKS.md, App weight)', async () => {
    const dir = join(OUT, 'renderer/assets');
    const scripts = (await readdir(dir)).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const source = await readFile(join(dir, file), 'utf8');
      // Classic zod gives every schema all its methods (superRefine, nullish, …), so one
      // import of 'zod' anywhere in the renderer bundles all of it: about 60 KB more.
      expect(source, file).not.toContain('superRefine');
      // electron-vite leaves the renderer unminified unless told; unminified output keeps module path comments.
      expect(source, file).not.toContain('// node_modules/');
    }
  });

  it('keeps Socket.IO and TanStack Virtual out of the scripts the first paint waits for (bench/results/NOTES.md, App weight)', async () => {
    const html = await readFile(join(OUT, 'renderer/index.html'), 'utf8');
    const first = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
    expect(first.length).toBeGreaterThan(0);
    for (const file of first) {
      const source = await readFile(join(OUT, 'renderer', file), 'utf8');
      expect(source, file).not.toContain('io server disconnect');
      expect(source, file).not.toContain('calculateRange');
    }
  });

  it('imports the keyboard hook (uiohook-napi, a native module) only when push-to-talk needs it, from node_modules', async () => {
    const main = await readFile(join(OUT, 'main/index.js'), 'utf8');
    expect(main).toMatch(/import\(["']uiohook-napi["']\)/);
    expect(main).not.toMatch(/from ["']uiohook-napi["']|require\(["']uiohook-napi["']\)/);
  });
});
