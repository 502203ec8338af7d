/**
 * The Node side of the lab's packet shaper (net-shaper.py): starts it for
 * one side of a lab (netns.ts), routes what that side sends to the others
 * through it, and hands it conditions (net-conditions.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Impairment } from './net-conditions.js';

const exec = promisify(execFile);

/** Packets of a side to the other sides that the shaper passed and dropped. */
export interface ShapedCounts {
  passed: number;
  dropped: number;
}

/** What the shaper needs of a lab's side (netns.ts's Side). */
export interface Place {
  name: string;
  netns: string;
  address: string;
}

export interface Shaper {
  /** The TUN device in the side's namespace that its packets to the others go into. */
  device: string;
  apply(impairment: Impairment & { seed: number }): Promise<ShapedCounts>;
  stop(): void;
}

const SHAPER = path.join(import.meta.dirname, 'net-shaper.py');

/**
 * net-shaper.py for what `side` sends to `others`: a TUN device in the side's namespace that
 * the routes to the others' addresses go through, and one in each other's namespace that the
 * shaper writes the packets into (with reverse-path filtering off there: the replies go back
 * over the bridge).
 */
export async function startShaper(tag: string, side: Place, others: Place[], ip: (...args: string[]) => Promise<string>): Promise<Shaper> {
  const tunIn = `${tag}${side.name}t`;
  const outs = others.map((o) => ({ side: o, tun: `${tag}${side.name}${o.name}` }));
  const proc: ChildProcess = spawn('python3', [SHAPER, side.netns, tunIn, ...outs.map((o) => `${o.side.netns}:${o.tun}:${o.side.address}`)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the lab's shaper exited (${code})`));
      const timer = setTimeout(() => reject(new Error('the lab\'s shaper did not answer')), 10_000);
      waiting.push((line) => {
        clearTimeout(timer);
        // One listener per answer awaited, removed with it: a long run asks many times.
        proc.off('exit', exited);
        resolve(line);
      });
      proc.once('exit', exited);
    });
  const stop = () => {
    proc.stdin?.end();
    proc.kill();
  };
  try {
    const ready = await next();
    if (ready !== 'ready') throw new Error(`the lab's shaper said ${ready}`);
    await ip('-n', side.netns, 'link', 'set', tunIn, 'up');
    for (const o of outs) {
      await ip('-n', side.netns, 'route', 'replace', `${o.side.address}/32`, 'dev', tunIn, 'src', side.address);
      await ip('-n', o.side.netns, 'link', 'set', o.tun, 'up');
      await exec('ip', ['netns', 'exec', o.side.netns, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', `net.ipv4.conf.${o.tun}.rp_filter=0`], { timeout: 10_000 });
    }
  } catch (err) {
    stop();
    throw err;
  }
  return {
    device: tunIn,
    async apply(impairment) {
      const answer = next();
      proc.stdin!.write(`${JSON.stringify(impairment)}\n`);
      return JSON.parse(await answer) as ShapedCounts;
    },
    stop,
  };
}
