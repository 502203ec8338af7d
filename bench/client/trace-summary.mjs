#!/usr/bin/env node
/**
 * Each renderer main thread's time in a DevTools trace (bench:client --trace
 * DIR), by event, self time (an event's duration less the events inside it):
 * how much of the window the thread was busy, and on what (UpdateLayoutTree is
 * style, Layout, Paint, TimerFire, FunctionCall, RunMicrotasks, …).
 *
 *   node bench/client/trace-summary.mjs DIR/audioCall.json [--top N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || positionals.length !== 1) {
  console.log('Usage: node bench/client/trace-summary.mjs TRACE.json [--top N]\n\nEach renderer main thread (CrRendererMain) of a DevTools trace: busy time, and self time by event.');
  process.exit(values.help ? 0 : 1);
}
const parsed = JSON.parse(readFileSync(positionals[0], 'utf8'));
const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;

const key = (e) => `${e.pid}:${e.tid}`;
const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map(key));
let first = Infinity;
let last = -Infinity;
for (const e of events) {
  if (!(e.ts > 0)) continue;
  first = Math.min(first, e.ts);
  last = Math.max(last, e.ts + (e.dur ?? 0));
}
const windowMs = (last - first) / 1000;

const byThread = new Map();
for (const e of events) {
  if (e.ph !== 'X' || e.dur === undefined || !mains.has(key(e))) continue;
  if (!byThread.has(key(e))) byThread.set(key(e), []);
  byThread.get(key(e)).push(e);
}

console.log(`window ${windowMs.toFixed(0)} ms`);
for (const [thread, list] of byThread) {
  // Outer events first where two start together, so each nests in its parent.
  list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  let busy = 0;
  for (const e of list) {
    while (stack.length > 0 && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    const inside = parent ? Math.min(e.dur, parent.ts + parent.dur - e.ts) : e.dur;
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - inside);
    else busy += e.dur;
    self.set(e.name, (self.get(e.name) ?? 0) + inside);
    stack.push(e);
  }
  console.log(`\nrenderer main thread ${thread}: busy ${(busy / 1000).toFixed(0)} ms, ${((100 * busy) / 1000 / windowMs).toFixed(2)} % of the window`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${name}`);
  }
}
