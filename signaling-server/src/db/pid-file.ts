/**
 * A server serving a SQLite data dir says so in `parley-server.pid`, so
 * `parley-server restore` can refuse to swap the file under it. A file left
 * by a killed server names a process that is gone and is ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PID_FILE = 'parley-server.pid';

/**
 * Writes this process's pid; the returned function removes it (if it is
 * still ours). Another live server's pid is left in place: it still uses
 * the file, whichever of the two stops first.
 */
export function writePidFile(dataDir: string): () => void {
  const file = path.join(dataDir, PID_FILE);
  const other = runningServerPid(dataDir);
  if (other !== undefined && other !== process.pid) return () => undefined;
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
}

/** The pid of a live server on this data dir, if any. */
export function runningServerPid(dataDir: string): number | undefined {
  const pid = readPid(path.join(dataDir, PID_FILE));
  if (pid === undefined) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: it exists but is someone else's, which is still a live server.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function readPid(file: string): number | undefined {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
