/**
 * The one way the main process replaces a file: write a temp file next to
 * it (flushed to disk), then rename it over the old one, so a crash or a
 * full disk leaves either the old file or the new one, never half of each.
 * The temp file is removed when anything fails; one left by a process that
 * was killed mid-write is removed by `removeLeftoverTemps` at the next start.
 */
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

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

/** `.<pid>.<uuid>.tmp` after the file's name: a temp file of writeFileAtomically. */
const TEMP_SUFFIX = /^\.\d+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

export interface LeftoverFs {
  readdir(path: string): Promise<string[]>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

/**
 * Removes the temp files of writes to `file` that never finished (the
 * process was killed before the rename) and returns their names. Call it
 * before the first write, while nothing else writes the file.
 */
export async function removeLeftoverTemps(fs: LeftoverFs, file: string): Promise<string[]> {
  const name = basename(file);
  const leftovers = (await fs.readdir(dirname(file))).filter(
    (entry) => entry.startsWith(name) && TEMP_SUFFIX.test(entry.slice(name.length)),
  );
  await Promise.all(leftovers.map((entry) => fs.rm(join(dirname(file), entry), { force: true })));
  return leftovers;
}
