#!/usr/bin/env node
// Built by `npm run build` (run by npm install, after patches/ are applied: see package.json): the server in
// one file with its dependencies (scripts/bundle.mjs), run from V8's code cache (code-cache.cjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Before any code runs (the code cache is keyed by V8's flags). Allocation-site pretenuring places
// the objects of a site it has seen outlive young collections straight in the old generation; under
// a node's load that takes in short-lived ones, which then wait for a full collection with the buffers
// they hold, and the process keeps memory it no longer uses. Off, a node under bench:signaling's load
// keeps about 1 KB a client less, at the same CPU (BENCHMARKS.md, memory per client).
setFlagsFromString('--no-allocation-site-pretenuring');

const require = createRequire(import.meta.url);
require('./code-cache.cjs').runCached(fileURLToPath(new URL('../dist/parley-server.cjs', import.meta.url)));
