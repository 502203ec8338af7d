/**
 * A real PostgreSQL server for tests: a fresh cluster (initdb) in a temp dir,
 * started with pg_ctl on a free loopback port, password login over TCP only.
 * initdb refuses to run as root, so as root the cluster belongs to the
 * `postgres` user that Debian's postgresql package creates. Durability
 * settings are off: the cluster is thrown away, and a killed parley-server
 * loses nothing PostgreSQL has committed either way.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import getPort from 'get-port';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

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

/** Where initdb and pg_ctl are: PARLEY_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
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
      const log = existsSync(path.join(dir, 'log')) ? readFileSync(path.join(dir, 'log'), 'utf8').slice(-2000) : '';
      throw new Error(`${tool} ${args[0] ?? ''} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${log}`, { cause: err });
    }
  };
  await exec('initdb', ['-D', data, '-U', 'parley', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  rmSync(pwfile);

  const port = await getPort({ host: '127.0.0.1' });
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    // Every test server keeps a pool of up to 10; two test files run at once.
    '-c max_connections=400',
  ].join(' ');
  const start = () => exec('pg_ctl', ['start', '-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-o', options]);
  const stop = () => exec('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
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
