#!/usr/bin/env node
// Prints where a V8 CPU profile (node --cpu-prof) spent its time: self time
// by function and by package, heaviest first. --window FROM-TO keeps the
// samples taken FROM to TO seconds after the profile started (the benchmark
// prints when each phase starts).
//   node bench/signaling/profile-summary.mjs FILE.cpuprofile [--top N] [--window 12-40]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `Usage: node bench/signaling/profile-summary.mjs FILE.cpuprofile [--top N] [--window FROM-TO]

Self time of a V8 CPU profile (node --cpu-prof; bench:signaling and one-call.mjs
write them with --cpu-prof DIR), by package or file and by function, heaviest first.

  --top N           rows of each table (default 25)
  --window FROM-TO  only the samples FROM to TO seconds after the profile started
  -h, --help        this text`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, window: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help || positionals.length !== 1) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
const [from, to] = values.window ? values.window.split('-').map((x) => Number(x) * 1e6) : [0, Infinity];
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += dt[i] ?? 0;
  if (t < from || t > to) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map();
const byPackage = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '');
  const fn = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const pkg = !url ? functionName : url.startsWith('node:') ? 'node:internal' : /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url.replace(/.*\/(signaling-server|bench)\//, '$1/');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const top = Number(values.top);
const show = (title, map) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
show('self time by package or file', byPackage);
show('self time by function', byFunction);
