#!/usr/bin/env node
/**
 * Bundles the built server (dist/cli.js and what it imports, dependencies
 * included) into dist/parley-server.cjs, which `parley-server` runs. Node
 * spends most of a start resolving and loading modules one file at a time
 * (zod, Kysely and Socket.IO are hundreds of files); one file starts in about
 * a third of the time (BENCHMARKS.md, start to listening). CommonJS, because
 * on Node 20 only a CommonJS file can run from V8's code cache
 * (bin/code-cache.cjs). What is imported lazily (PostgreSQL, the Redis
 * cluster state, the SFU) stays in chunks of its own, loaded only when
 * configured. Runs after `tsc` in `npm run build`; the tests import the
 * sources, dist/ keeps the typed modules other packages import.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');
// The last bundle's chunks go first: chunk names follow the code, and a stale one would linger.
for (const f of readdirSync(out).filter((name) => /^parley-server.*\.[cm]js(\.map)?$/.test(name))) rmSync(path.join(out, f));
// So does the code cache of the last build (bin/code-cache.cjs): the next start makes the new one.
rmSync(path.join(out, '.code-cache'), { recursive: true, force: true });

await build({
  cwd: root,
  input: { 'parley-server': 'dist/cli.js' },
  platform: 'node',
  // Native addons (better-sqlite3, koffi; janode's unix-dgram transport, so janode as a whole), and what a
  // dependency requires only when it is installed.
  external: ['better-sqlite3', 'koffi', /^janode(\/|$)/, 'pg-native', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warn',
  output: {
    dir: 'dist',
    format: 'cjs',
    // Every file at the top of dist/: version.ts reads ../package.json from where its code runs.
    entryFileNames: '[name].cjs',
    chunkFileNames: 'parley-server-[name].cjs',
    sourcemap: true,
    // Without comments and spaces (less to read at start); names kept, so a stack trace stays legible.
    minify: { compress: false, mangle: false },
  },
});
