/**
 * A real PostgreSQL server for tests: a fresh cluster (initdb) in a temp dir,
 * its postmaster started on a free loopback port, password login over TCP
 * only. initdb and postgres refuse to run as root, so as root the cluster
 * belongs to the `postgres` user that Debian's postgresql package creates.
 * The postmaster is this process's child, not daemonized by pg_ctl: it
 * never outlives the process that started it (owned-process.ts). Durability
 * settings are off: the cluster is thrown away, and a killed parley-server
 * loses nothing PostgreSQL has committed either way.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import getPort from 'get-port';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnOwned } from './owned-process.js';

const run = promisify(execFile);

export interface PostgresServer {
  port: number;
  /** postgres://parley:…@127.0.0.1:port/database */
  url(database?: string): string;
  /** Stops the server (fast shutdown: sessions are ended); the cluster stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and deletes the cluster. */
  destroy(): Promise<void>;
}

/** Where initdb and postgres are: PARLEY_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string | undefined {
  if (process.env.PARLEY_PG_BIN) return process.env.PARLEY_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/** Why no PostgreSQL server can be started here, or undefined when one can. */
export function postgresMissing(): string | undefined {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries (install the Debian package "postgresql", or set PARLEY_PG_BIN)';
  if (process.getuid?.() === 0 && userIds('postgres') === undefined) return 'running as root and there is no "postgres" user to own the cluster';
  return undefined;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}


export async function startPostgres(): Promise<PostgresServer> {
  const missing = postgresMissing();
  if (missing) throw new Error(`cannot start PostgreSQL: ${missing}`);
  const bin = postgresBinDir() as string;
  const owner = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  const exec = async (tool: string, args: string[]) => {
    const [file, argv] = owner ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    try {
      await run(file, argv, { cwd: dir, timeout: 60_000 });
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(`${tool} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
    }
  };
  await exec('initdb', ['-D', data, '-U', 'parley', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  rmSync(pwfile);

  const port = await getPort({ host: '127.0.0.1' });
  const options = [
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${dir}`,
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    // Every test server keeps a pool of up to 10; two test files run at once.
    '-c', 'max_connections=400',
  ];
  const log = path.join(dir, 'log');
  const logTail = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '');
  let postmaster: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const running = () => postmaster !== undefined && postmaster.exitCode === null && postmaster.signalCode === null;

  /** Starts the postmaster and waits until it accepts connections (its postmaster.pid says "ready", as `pg_ctl start -w` waits). */
  const start = async () => {
    if (running()) throw new Error('postgres is still running');
    const out = openSync(log, 'a');
    // SIGQUIT when this process ends: an immediate shutdown, which takes the backends down and frees shared memory.
    const child = spawnOwned(path.join(bin, 'postgres'), ['-D', data, ...options], {
      cwd: dir,
      stdio: ['ignore', out, out],
      uid: owner?.uid,
      gid: owner?.gid,
      deathSignal: 'SIGQUIT',
    });
    closeSync(out);
    postmaster = child;
    exited = new Promise((resolve) => child.once('close', () => resolve()));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run ${path.join(bin, 'postgres')}: ${err.message}`)));
      child.once('exit', (code, signal) => reject(new Error(`postgres exited at start (${signal ?? `code ${code}`})\n${logTail()}`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lines = existsSync(path.join(data, 'postmaster.pid')) ? readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n') : [];
      if (lines[0] === String(child.pid) && lines[7]?.trim() === 'ready') return;
      if (Date.now() > deadline) {
        child.kill('SIGQUIT');
        throw new Error(`postgres did not accept connections within 60 s\n${logTail()}`);
      }
      await Promise.race([failed, new Promise((r) => setTimeout(r, 50))]);
    }
  };
  /** A fast shutdown (SIGINT, as `pg_ctl stop -m fast`): sessions are ended, then it exits. */
  const stop = async () => {
    const child = postmaster;
    if (!child || !running()) return;
    child.kill('SIGINT');
    const stuck = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(stuck);
  };
  await start();

  let destroyed = false;
  return {
    port,
    url: (database = 'postgres') => `postgres://parley:${password}@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
