/**
 * What a browser costs the machine, read from /proc: the CPU time and the
 * proportional memory (PSS: shared pages split between their sharers, so
 * the sum is what the browser really holds) of a browser process and every
 * process under it (zygotes, renderers, GPU, network and audio services).
 * The browser is found by a marker switch on its command line; Chromium
 * ignores switches it does not know.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, ppid: Number(fields[1]), cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return null; // exited meanwhile
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => readStat(Number(d)) ?? []);
}

/** The pid of the process whose command line holds `marker` (the browser itself, not its children). */
export function findBrowser(marker: string): number {
  const roots = allProcesses().filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').includes(marker);
    } catch {
      return false;
    }
  });
  const pids = new Set(roots.map((p) => p.pid));
  // A wrapper script's exec keeps the pid; a child that copied the switch has its parent in the set.
  const root = roots.find((p) => !pids.has(p.ppid));
  if (!root) throw new Error(`no process has ${marker} on its command line`);
  return root.pid;
}

/** CPU seconds of each process in the tree under `root` (itself included). */
export function treeCpu(root: number): Map<number, number> {
  const all = allProcesses();
  const children = new Map<number, ProcStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = new Map<number, number>();
  const stack = all.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.set(p.pid, p.cpuSeconds);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** CPU seconds the tree used between two readings: processes born meanwhile count whole, those gone are lost (rare at rest). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** The tree's proportional set size, in bytes. */
export function treePss(root: number): number {
  let kb = 0;
  for (const pid of treeCpu(root).keys()) {
    try {
      const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kb * 1024;
}

/** The process's `--type=` switch (renderer, gpu-process, utility…), or 'browser' for the browser itself. */
function processType(pid: number): string {
  try {
    // Chromium rewrites its children's command lines into one string: split on spaces too.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
    const service = args.find((a) => a.startsWith('--utility-sub-type='))?.split('.').at(-2);
    return service ? `${type}:${service}` : type;
  } catch {
    return '?';
  }
}

/**
 * CPU seconds of every thread in the tree under `root`, summed by process
 * type and thread name ("renderer/AudioWorklet", "renderer/CrRendererMain"):
 * where a situation's CPU goes, to compare with its baseline's.
 */
export function threadCpu(root: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of treeCpu(root).keys()) {
    const type = processType(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tasks) {
      try {
        const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')')).replace(/\d+$/, '');
        const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
        const key = `${type}/${name}`;
        out.set(key, (out.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
      } catch {
        // exited meanwhile
      }
    }
  }
  return out;
}

/** The growth of each thread group between two `threadCpu` readings, in percent of one core over `seconds`, largest first. */
export function threadShares(before: Map<string, number>, after: Map<string, number>, seconds: number): Record<string, number> {
  const rows = [...after].map(([k, s]) => [k, Math.round((10_000 * (s - (before.get(k) ?? 0))) / seconds) / 100] as const);
  return Object.fromEntries(rows.filter(([, p]) => p >= 0.1).sort((a, b) => b[1] - a[1]));
}
