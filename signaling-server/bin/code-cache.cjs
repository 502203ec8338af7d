/**
 * Runs the bundled server (dist/parley-server.cjs and the chunks it loads)
 * from V8's code cache: on this 2-core machine, compiling the bundle's
 * functions was the largest part of a start (BENCHMARKS.md, start to
 * listening). Node 22 has this built in (module.enableCompileCache), and it
 * is used where it exists; Node 20 has no cache for ES modules, hence a
 * CommonJS bundle and this loader.
 *
 * The cache is written once per build, a few seconds after a start (by then
 * it holds the functions the start ran, not only the top level), into
 * dist/.code-cache: next to the code it stands for, so only whoever may
 * change the code may change it. Where that folder cannot be written the
 * server starts without a cache. Each file is named by a hash of its source,
 * because V8 checks little more than a source's length before using a cache.
 */
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** After the start, when the functions it ran are compiled. */
const WRITE_AFTER_MS = 3000;

/** The bundle's files this process compiled from source, and those it ran from the cache (for the tests). */
const stats = { compiled: [], fromCache: [] };

/** Requires `entry` (a file in the bundle's folder), with its folder's files compiled from the cache. */
function runCached(entry) {
  const dir = path.dirname(entry);
  const cacheDir = path.join(dir, '.code-cache');
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(cacheDir);
    return require(entry);
  }
  const fresh = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    if (path.dirname(filename) !== dir) return compile.call(this, content, filename);
    const name = `${path.basename(filename)}.${createHash('sha256').update(content).digest('hex').slice(0, 20)}.bin`;
    const cacheFile = path.join(cacheDir, name);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // Not made yet (a new build): compiled from source, cached below.
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    const cached = cachedData !== undefined && !script.cachedDataRejected;
    stats[cached ? 'fromCache' : 'compiled'].push(path.basename(filename));
    if (!cached) fresh.push({ script, cacheFile, file: path.basename(filename) });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dir);
  };
  const exports = require(entry);
  const write = () => writeCaches(cacheDir, fresh.splice(0));
  setTimeout(write, WRITE_AFTER_MS).unref();
  // A server stopped sooner still leaves its cache for the next start.
  process.once('exit', write);
  return exports;
}

function writeCaches(cacheDir, fresh) {
  if (fresh.length === 0) return;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    for (const { script, cacheFile, file } of fresh) {
      // The cache of an earlier build of the same file goes: only the newest can match.
      // (Another server started at once may be writing this build's too: its file is left alone.)
      for (const old of fs.readdirSync(cacheDir)) {
        if (old.startsWith(`${file}.`) && !old.startsWith(path.basename(cacheFile))) fs.rmSync(path.join(cacheDir, old), { force: true });
      }
      const partial = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, cacheFile);
    }
  } catch {
    // A read-only install: every start compiles, as it would without this loader.
  }
}

module.exports = { runCached, stats };
