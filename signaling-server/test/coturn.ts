/**
 * coturn (Debian package "coturn") on loopback with the deploy kit's
 * deploy/coturn/turnserver.conf and a given secret, for tests that check
 * parley-server's TURN credentials against the real TURN server (the server
 * suite and the browser suite); and the lookup of such tools on this
 * machine, whose tests skip without them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { spawnOwned } from './owned-process.js';
import type { TurnClient } from './turn-client.js';

export const DEPLOY = path.resolve(import.meta.dirname, '../../deploy');

/** The path of a program on PATH (or in the sbin folders), if installed. */
export function tool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** True, and says so, when `name` is not installed: for `it.skipIf`. */
export function missingTool(name: string, pkg: string, suite: string): boolean {
  if (tool(name)) return false;
  process.stdout.write(`${suite}: ${name} is not installed (Debian package "${pkg}"), its check is skipped\n`);
  return true;
}

export interface Coturn {
  port: number;
  /** Everything coturn logged so far. */
  output(): string;
  /** Stops it and removes its folder. */
  stop(): void;
}

/**
 * Starts coturn on 127.0.0.1 with `secret` as its use-auth-secret; it answers once its listener is up
 * (see allocateWhenUp). With `ipv6`, it also relays from ::1 (IPv6 allocations, RFC 6156); `flags` are
 * added to its command line.
 */
export async function startCoturn(secret: string, { ipv6 = false, flags = [] }: { ipv6?: boolean; flags?: string[] } = {}): Promise<Coturn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-coturn-'));
  const port = await getPort({ host: '127.0.0.1' });
  // Dies with this process, however it ends (owned-process.ts).
  const child = spawnOwned(
    tool('turnserver') as string,
    ['-c', path.join(DEPLOY, 'coturn/turnserver.conf'), `--static-auth-secret=${secret}`, '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', ...(ipv6 ? ['--relay-ip=::1'] : []), `--listening-port=${port}`, `--pidfile=${dir}/turnserver.pid`, '--no-tls', '--no-dtls', ...flags],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  return {
    port,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TURN allocation with these credentials, asked again while coturn does not answer yet (it is starting). */
export async function allocateWhenUp(turn: TurnClient, username: string, credential: string): ReturnType<TurnClient['allocate']> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await turn.allocate(username, credential);
    } catch (err) {
      if (attempt >= 19) throw err;
    }
  }
}
