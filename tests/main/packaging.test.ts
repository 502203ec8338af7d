/**
 * electron-builder.yml (electron-builder itself cannot run here: it downloads
 * Electron). Checked as text: the targets, the protocol, the icons and the
 * fuses the security review asked for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const config = readFileSync(resolve(ROOT, 'electron-builder.yml'), 'utf8');

/** The lines of a top-level YAML block (`key:` up to the next top-level key), comments dropped. */
function block(key: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(`${key}:`);
  expect(start, `${key}: block`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^\S/.test(line));
  return rest.slice(0, end < 0 ? undefined : end).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config).toMatch(/^appId: app\.parley\.desktop$/m);
    expect(config).toMatch(/^productName: Parley$/m);
  });

  it('packs the built app and the tray icons', () => {
    // Without source maps, and without the web build's compressed copies (for the server, not the asar).
    expect(block('files')).toEqual(['- out/**', '- build/tray/**', '- "!**/*.map"', '- "!out/renderer/**/*.{br,gz}"']);
    expect(config).toMatch(/^asar: true$/m);
  });

  it('builds AppImage and deb, NSIS, dmg, each with the app icon', () => {
    expect(block('linux')).toContain('target: [AppImage, deb]');
    expect(block('win')).toContain('target: [nsis]');
    expect(block('mac')).toContain('target: [dmg]');
    for (const os of ['linux', 'win', 'mac']) expect(block(os)).toContain('icon: build/icon.png');
    expect(existsSync(resolve(ROOT, 'build/icon.png'))).toBe(true);
    expect(existsSync(resolve(ROOT, 'build/entitlements.mac.plist'))).toBe(true);
  });

  it('packs the keyboard hook as it is installed, with its prebuilt binaries, never compiled', () => {
    // uiohook-napi's Node-API prebuilds work in Electron; a rebuild would need a compiler.
    expect(config).toMatch(/^npmRebuild: false$/m);
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('uiohook-napi');
    expect(existsSync(resolve(ROOT, 'node_modules/uiohook-napi/prebuilds/linux-x64/uiohook-napi.node'))).toBe(true);
  });

  it('registers the parley: scheme', () => {
    expect(block('protocols')).toEqual(['- name: Parley', 'schemes: [parley]']);
  });

  it('flips the fuses', () => {
    expect(block('electronFuses')).toEqual(
      expect.arrayContaining([
        'runAsNode: false',
        'enableCookieEncryption: true',
        'enableNodeOptionsEnvironmentVariable: false',
        'enableNodeCliInspectArguments: false',
        'enableEmbeddedAsarIntegrityValidation: true',
        'onlyLoadAppFromAsar: true',
      ]),
    );
  });
});
