// Where the Electron binary is, if it is installed. Electron 42+ downloads
// it lazily on first use; this looks without triggering that download.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function electronBinary() {
  const require = createRequire(import.meta.url);
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist');
  const full = path.join(base, relative);
  return existsSync(full) ? full : null;
}

/** Runs Electron's own installer once; true when a binary is there afterwards. */
export async function tryInstallElectron() {
  const { spawnSync } = await import('node:child_process');
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('electron/package.json'));
  console.info('The Electron binary is not installed yet: fetching it…');
  const result = spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: 'pipe', timeout: 300_000 });
  if (result.status !== 0) console.info(`Electron's download failed: ${String(result.stderr).trim().split('\n')[0] ?? ''}`);
  return electronBinary() !== null;
}
