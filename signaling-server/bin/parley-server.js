#!/usr/bin/env node
// Built by `npm run build` (run by npm install through the package's prepare script): the server in
// one file with its dependencies (scripts/bundle.mjs), run from V8's code cache (code-cache.cjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
require('./code-cache.cjs').runCached(fileURLToPath(new URL('../dist/parley-server.cjs', import.meta.url)));
