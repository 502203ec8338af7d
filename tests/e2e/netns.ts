/**
 * A small network lab for browser tests, built with iproute2: a bridge in the
 * root namespace (the "LAN", where the signaling server listens on the
 * bridge's address) and, per side, a network namespace joined to the bridge
 * by a veth pair. A browser launched through a side's wrapper script runs
 * inside that side's namespace, so the test can take its link down, give it a
 * new address and bring it back, as when a laptop changes networks.
 *
 * Needs root (CAP_NET_ADMIN) and `ip`. Every name starts with `prly-<pid>-`,
 * the owning process's id in base 36: `close()` removes one lab, and
 * `removeLeftovers()` removes what a crashed earlier run left behind (only
 * for owners no longer running, so concurrent runs never touch each other).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NetCondition } from './net-conditions.js';
import { startShaper, type ShapedCounts, type Shaper } from './net-shaper.js';

const exec = promisify(execFile);

const PREFIX = 'prly-';
const TMP_PREFIX = 'parley-netns-';
const SUBNET_BASE = '10.213';

export type { ShapedCounts } from './net-shaper.js';

export type NetnsProbe = { ok: true } | { ok: false; reason: string };

export interface Side {
  /** The side's letter ('a', 'b'): the names below end with it. */
  name: string;
  /** The network namespace. */
  netns: string;
  /** The veth end inside the namespace: the side's "network card". */
  device: string;
  /** The veth end on the bridge. */
  peer: string;
  /** The side's current IPv4 address. */
  address: string;
  /** An executable that runs Chromium in this side's namespace (for `executablePath`). */
  chromium: string;
}

export interface Lab {
  bridge: string;
  /** The bridge's address, reachable from every side: where the server listens. */
  gateway: string;
  sides: Side[];
  side(name: string): Side;
  /** Takes the side's network card down: its routes go with it. */
  linkDown(side: Side): Promise<void>;
  /** Replaces the side's address with `.<host>` of the lab's subnet (flush, then add). */
  changeAddress(side: Side, host: number): Promise<void>;
  linkUp(side: Side): Promise<void>;
  /**
   * Puts a named bad network (net-conditions.ts) on what the side sends, replacing the one
   * before (`clean` removes it): loss and delay through the lab's shaper (net-shaper.py, seeded),
   * a rate limit with tc on its network card. Returns what the shaper did to the side's packets
   * under the condition before.
   */
  shape(side: Side, condition: NetCondition, seed?: number): Promise<ShapedCounts>;
  /**
   * Removes everything, and aborts the root namespace's connections to the lab's
   * addresses; idempotent, and never throws. Close the browsers first.
   */
  close(): Promise<void>;
}

async function ip(...args: string[]): Promise<string> {
  try {
    return (await exec('ip', args, { timeout: 10_000 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('the `ip` command (iproute2) is not installed', { cause: err });
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

/** Runs an `ip` command for cleanup: failures are expected (already gone) and ignored. */
async function ipQuiet(...args: string[]): Promise<void> {
  await ip(...args).catch(() => undefined);
}

/** tc inside a namespace. */
async function tc(netns: string, ...args: string[]): Promise<void> {
  try {
    await exec('ip', ['netns', 'exec', netns, 'tc', ...args], { timeout: 10_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`tc ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

async function tcQuiet(netns: string, ...args: string[]): Promise<void> {
  await tc(netns, ...args).catch(() => undefined);
}

let labs = 0;
const open = new Set<Lab>();

/**
 * A bridge with one address and one namespace per side name, each with `lo`
 * up and its own address (.11, .12, ... in order). Removes what it created if
 * any step fails.
 */
export async function createLab(sideNames: string[], options: { chromium?: string } = {}): Promise<Lab> {
  const tag = `${PREFIX}${process.pid.toString(36)}-${(labs++).toString(36)}`;
  const subnet = `${SUBNET_BASE}.${await freeSubnet()}`;
  const dir = mkdtempSync(path.join(tmpdir(), `${TMP_PREFIX}${process.pid.toString(36)}-`));
  const bridge = `${tag}br`;
  const sides: Side[] = sideNames.map((name, i) => ({
    name,
    netns: `${tag}-${name}`,
    device: `${tag}${name}n`,
    peer: `${tag}${name}h`,
    address: `${subnet}.${11 + i}`,
    chromium: path.join(dir, `chromium-${name}`),
  }));
  for (const s of sides) {
    if (s.device.length > 15 || s.peer.length > 15) throw new Error(`interface name too long: ${s.device}`);
  }

  let closed: Promise<void> | undefined;
  const shapers = new Map<Side, Shaper>();
  const lab: Lab = {
    bridge,
    gateway: `${subnet}.1`,
    sides,
    side(name) {
      const s = sides.find((x) => x.name === name);
      if (!s) throw new Error(`no side ${name}`);
      return s;
    },
    async linkDown(side) {
      await ip('-n', side.netns, 'link', 'set', side.device, 'down');
    },
    async changeAddress(side, host) {
      await ip('-n', side.netns, 'addr', 'flush', 'dev', side.device);
      side.address = `${subnet}.${host}`;
      await ip('-n', side.netns, 'addr', 'add', `${side.address}/24`, 'dev', side.device);
    },
    async linkUp(side) {
      await ip('-n', side.netns, 'link', 'set', side.device, 'up');
    },
    async shape(side, condition, seed = 39) {
      let shaper = shapers.get(side);
      if (!shaper && condition.impairment) {
        shaper = await startShaper(tag, side, sides.filter((s) => s !== side), ip);
        shapers.set(side, shaper);
      }
      for (const dev of [side.device, ...(shaper ? [shaper.device] : [])]) await tcQuiet(side.netns, 'qdisc', 'del', 'dev', dev, 'root');
      // Once the shaper carries what the side sends to the others, a rate limit goes on the shaper's
      // device: on the network card it would miss the call's media.
      if (condition.qdisc) await tc(side.netns, 'qdisc', 'replace', 'dev', shaper?.device ?? side.device, 'root', ...condition.qdisc);
      return shaper ? shaper.apply({ seed, ...condition.impairment }) : { passed: 0, dropped: 0 };
    },
    close() {
      return (closed ??= (async () => {
        open.delete(lab);
        // Connections from the root namespace (the server's) to the lab's addresses would otherwise
        // linger: one to an address that went away waits out its close handshake (30 s in ws).
        await exec('ss', ['-K', 'dst', `${subnet}.0/24`], { timeout: 10_000 }).catch(() => undefined);
        for (const shaper of shapers.values()) shaper.stop();
        for (const s of sides) {
          await killIn(s.netns);
          await ipQuiet('netns', 'del', s.netns);
          await ipQuiet('link', 'del', s.peer);
        }
        await ipQuiet('link', 'del', bridge);
        rmSync(dir, { recursive: true, force: true });
      })());
    },
  };
  open.add(lab);

  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${lab.gateway}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (const s of sides) {
      await ip('netns', 'add', s.netns);
      await ip('link', 'add', s.peer, 'type', 'veth', 'peer', 'name', s.device, 'netns', s.netns);
      await ip('link', 'set', s.peer, 'master', bridge, 'up');
      await ip('-n', s.netns, 'link', 'set', 'lo', 'up');
      await ip('-n', s.netns, 'addr', 'add', `${s.address}/24`, 'dev', s.device);
      await ip('-n', s.netns, 'link', 'set', s.device, 'up');
      writeFileSync(s.chromium, `#!/bin/sh\nexec ip netns exec ${s.netns} ${options.chromium ?? '/usr/bin/chromium'} "$@"\n`);
      chmodSync(s.chromium, 0o755);
    }
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}

/** A third octet no address or route on this machine uses yet. */
async function freeSubnet(): Promise<number> {
  const used = `${await ip('-4', '-o', 'addr', 'show')}\n${await ip('-4', 'route', 'show', 'table', 'all')}`;
  for (let n = 0; n < 256; n++) {
    if (!used.includes(`${SUBNET_BASE}.${n}.`)) return n;
  }
  throw new Error(`no free ${SUBNET_BASE}.x.0/24 subnet`);
}

/** Ends the processes still inside a namespace of ours (a browser that did not close). */
async function killIn(netns: string): Promise<void> {
  const pids = await ip('netns', 'pids', netns).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function ownerAlive(name: string): boolean {
  const pid = parseInt(/^(?:prly-|parley-netns-)([0-9a-z]+)-/.exec(name)?.[1] ?? '', 36);
  if (!Number.isFinite(pid)) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces, links and temp dirs of earlier runs whose process is gone. */
export async function removeLeftovers(): Promise<void> {
  const namespaces = (await ip('netns', 'list').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX) && !ownerAlive(n));
  for (const ns of namespaces) {
    await killIn(ns);
    await ipQuiet('netns', 'del', ns);
  }
  const links = (await ip('-o', 'link', 'show').catch(() => ''))
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
    .filter((n) => n.startsWith(PREFIX) && !ownerAlive(n));
  // veths first (a bridge may still hold them), then bridges.
  for (const link of links.sort((x, y) => Number(x.endsWith('br')) - Number(y.endsWith('br')))) await ipQuiet('link', 'del', link);
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith(TMP_PREFIX) && !ownerAlive(entry)) rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** Last resort when the process exits without closing its labs (synchronous, best effort). */
process.once('exit', () => {
  for (const lab of open) {
    for (const s of lab.sides) {
      for (const args of [['netns', 'del', s.netns], ['link', 'del', s.peer]]) {
        try {
          execFileSync('ip', args, { stdio: 'ignore', timeout: 5000 });
        } catch {
          // already gone
        }
      }
    }
    try {
      execFileSync('ip', ['link', 'del', lab.bridge], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // already gone
    }
  }
});

/**
 * Whether this machine can build a lab: really creates a namespace, a veth
 * pair and a bridge, checks that the namespace reaches the bridge over TCP,
 * and removes them again. The reason says what failed.
 */
export async function netnsAvailable(): Promise<NetnsProbe> {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces are Linux only (this is ${process.platform})` };
  let lab: Lab | undefined;
  try {
    await removeLeftovers();
    lab = await createLab(['p']);
    await reachable(lab.side('p').netns, lab.gateway);
    return { ok: true };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /Operation not permitted|permission denied/i.test(message) ? ' (needs root or CAP_NET_ADMIN)' : '';
    return { ok: false, reason: `cannot create a network namespace lab: ${message}${hint}` };
  } finally {
    await lab?.close();
  }
}

/** A TCP connection from inside `netns` to a listener on `address` in the root namespace. */
async function reachable(netns: string, address: string): Promise<void> {
  const server = createServer((socket) => socket.end('ok'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  try {
    const { port } = server.address() as AddressInfo;
    const script = `require('net').connect(${port}, '${address}').on('data', () => process.exit(0)).on('error', () => process.exit(1))`;
    await exec('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { timeout: 10_000 }).catch(() => {
      throw new Error(`the namespace does not reach ${address} through the bridge`);
    });
  } finally {
    server.close();
  }
}
