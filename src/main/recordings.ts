/**
 * Call recordings in the desktop app: the renderer hands over a finished
 * recording (WebM bytes and a suggested file name); the system's save dialog
 * asks where, starting in the folder chosen last (the Videos folder the
 * first time), and the file is written there. Cancelling writes nothing.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { app, dialog } from 'electron';
import { createLogger } from './log.js';
import type { Windows } from './windows.js';

const log = createLogger('recordings');

export interface RecordingsDeps {
  windows: Pick<Windows, 'main'>;
}

export interface Recordings {
  /** Asks where and writes the file; `path` is where it went, or null when the user cancelled. */
  save(name: string, data: Uint8Array): Promise<{ path: string | null }>;
}

function startFolder(): string {
  for (const name of ['videos', 'documents', 'home'] as const) {
    try {
      return app.getPath(name);
    } catch {
      // Not every system has each folder: try the next.
    }
  }
  return '';
}

export function installRecordings(deps: RecordingsDeps): Recordings {
  let folder: string | null = null;
  return {
    async save(name, data) {
      // The name came from the renderer: only its last part, so it cannot point elsewhere.
      const base = path.basename(name);
      const options = {
        title: 'Save call recording',
        defaultPath: path.join((folder ??= startFolder()), base),
        buttonLabel: 'Save recording',
        filters: [{ name: 'WebM video', extensions: ['webm'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
      };
      const window = deps.windows.main();
      const chosen = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (chosen.canceled || !chosen.filePath) return { path: null };
      await writeFile(chosen.filePath, data);
      folder = path.dirname(chosen.filePath);
      log.info(`recording saved (${data.byteLength} bytes)`);
      return { path: chosen.filePath };
    },
  };
}
