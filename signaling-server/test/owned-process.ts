/**
 * The services tests start (redis-server, PostgreSQL, Janus, coturn, nginx)
 * die with the process that started them, however it ends: a normal exit, an
 * uncaught error, or a test worker killed with SIGKILL (issue 32). Nothing
 * outlives the run.
 *
 * The service runs under util-linux's `setpriv --pdeathsig <signal>`, which
 * asks the kernel to send it that signal when its parent ends and then execs
 * it in place: no process in between, so the child's pid is the service's.
 * The kernel sends the signal when the *thread* that spawned it ends: Node
 * spawns from its main thread, so that is the worker process ending. A
 * second line of defence: the process's 'exit' handler sends the same
 * signal to every service still running.
 *
 * SIGKILL unless the service has children of its own, which a SIGKILL would
 * orphan: nginx's master takes its workers down on SIGTERM, PostgreSQL's
 * postmaster its backends on SIGQUIT (and removes its shared memory, which a
 * SIGKILL leaves behind).
 *
 * Without setpriv (util-linux, in every Debian) only the 'exit' handler is
 * left; a program that is not installed is spawned as before, so the caller
 * still sees spawn's ENOENT error and says what to install.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface OwnedOptions extends SpawnOptions {
  /** What the service gets when the process that started it ends: SIGKILL unless said otherwise. */
  deathSignal?: NodeJS.Signals;
}

/** The path of an executable `name` (a path, or a name looked up on PATH), if there is one. */
function executable(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/bin']).filter(Boolean).map((d) => path.join(d, name));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

const SETPRIV = executable('setpriv');

/** Services started by this process and still running, with the signal each gets when it ends. */
const running = new Map<ChildProcess, NodeJS.Signals>();
let handlerInstalled = false;

function killAllOnExit(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  process.on('exit', () => {
    for (const [child, signal] of running) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  });
}

/**
 * spawn(), but the service ends when this process does. `uid`/`gid` (root
 * starting PostgreSQL, which refuses to run as root) apply to setpriv too,
 * so its death signal is set as that user and survives into the service.
 */
export function spawnOwned(
  command: string,
  args: readonly string[],
  options: OwnedOptions & { stdio: ['ignore', 'pipe', 'pipe'] },
): ChildProcessByStdio<null, Readable, Readable>;
export function spawnOwned(command: string, args: readonly string[], options?: OwnedOptions): ChildProcess;
export function spawnOwned(command: string, args: readonly string[], options: OwnedOptions = {}): ChildProcess {
  const { deathSignal = 'SIGKILL', ...spawnOptions } = options;
  const program = executable(command);
  const child =
    SETPRIV && program
      ? spawn(SETPRIV, ['--pdeathsig', deathSignal, '--', program, ...args], spawnOptions)
      : spawn(command, args, spawnOptions);
  if (child.pid !== undefined) {
    killAllOnExit();
    running.set(child, deathSignal);
    child.once('exit', () => running.delete(child));
  }
  return child;
}
