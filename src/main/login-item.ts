/**
 * "Start Parley when I log in". macOS and Windows: the OS login items
 * (app.setLoginItemSettings). Linux has no such API: an XDG autostart entry
 * (~/.config/autostart/parley.desktop) starting the AppImage or the
 * installed binary; written only for a packaged app, since an unpackaged run
 * would autostart a bare Electron.
 */
import * as nodeFs from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app } from 'electron';
import { writeFileAtomically } from './atomic-file.js';
import type { AtomicWriteFs } from './atomic-file.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';

const log = createLogger('login-item');

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  fs?: AtomicWriteFs;
  home?: string;
}

/** A desktop entry Exec argument, quoted as the XDG spec asks. */
function quoteExec(path: string): string {
  return `"${path.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', 'parley.desktop');
}

export async function applyLoginItem(openAtLogin: boolean, deps: LoginItemDeps): Promise<void> {
  if (deps.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin });
    return;
  }
  const env = deps.env ?? process.env;
  const fs = deps.fs ?? nodeFs;
  const file = autostartFile(env, deps.home ?? homedir());
  if (!openAtLogin) {
    await fs.rm(file, { force: true });
    return;
  }
  if (!app.isPackaged) {
    log.info('start at login is only set up for the packaged app');
    return;
  }
  const exec = env.APPIMAGE ?? process.execPath;
  const entry = ['[Desktop Entry]', 'Type=Application', 'Name=Parley', 'Comment=Team softphone', `Exec=${quoteExec(exec)}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
  await writeFileAtomically(fs, file, Buffer.from(entry), 0o644);
}

/** Applies the startAtLogin setting whenever it changes. Returns a function that stops. */
export function installLoginItem(deps: LoginItemDeps & { settings: Pick<SettingsStore, 'onChange'> }): () => void {
  return deps.settings.onChange((next, previous) => {
    if (next.startAtLogin === previous.startAtLogin) return;
    applyLoginItem(next.startAtLogin, deps).catch((error: unknown) => log.error('could not change start at login', error));
  });
}
