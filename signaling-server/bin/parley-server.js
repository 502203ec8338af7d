#!/usr/bin/env node
// Built by `npm run build` (run by npm install through the package's prepare script): the server in
// one file with its dependencies (scripts/bundle.mjs), which starts in a fraction of the time.
import '../dist/parley-server.mjs';
