#!/usr/bin/env node
// Built by `npm run build` (run by npm install through the package's prepare script).
import '../dist/cli.js';
