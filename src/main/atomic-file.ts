/**
 * The one way the main process replaces a file: write a temp file next to
 * it (flushed to disk), then rename it over the old one, so a crash or a
 * full disk leaves either the old file or the new one, never half of each.
 * The temp file is removed when anything fails.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';

/** The file operations used (node:fs/promises; tests substitute failures). */
export interface AtomicWriteFs {
  writeFile(path: string, data: Buffer, options: { mode: number; flush: boolean }): Promise<void>;
  rename(oldPath: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
}

export async function writeFileAtomically(fs: AtomicWriteFs, file: string, data: Buffer, mode = 0o600): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(temp, data, { mode, flush: true });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
