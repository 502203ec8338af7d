/**
 * bin/code-cache.cjs: the bundle runs from V8's code cache from its second
 * start on, and a changed file is never run from the cache of the old one,
 * even at the same length (V8 itself checks little more than the length).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LOADER = path.resolve(import.meta.dirname, '../bin/code-cache.cjs');
const builtIn = typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** Runs the entry through the loader in a new process: what it printed, and what was compiled and what cached. */
function start(entry: string): { said: string; compiled: string[]; fromCache: string[] } {
  const script = `const c = require(${JSON.stringify(LOADER)}); const said = c.runCached(${JSON.stringify(entry)}).said; console.log(JSON.stringify({ said, ...c.stats }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as ReturnType<typeof start>;
}

describe.skipIf(builtIn)('the server bundle run from the code cache (Node 20: Node 22 has its own, module.enableCompileCache)', () => {
  it('compiles each file on the first start, runs it from the cache on the next, and compiles a changed file afresh', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-code-cache-'));
    const entry = path.join(dir, 'entry.cjs');
    const chunk = path.join(dir, 'chunk.cjs');
    writeFileSync(entry, `exports.said = require('./chunk.cjs').say();`);
    writeFileSync(chunk, `exports.say = () => 'first';`);

    expect(start(entry)).toEqual({ said: 'first', compiled: ['entry.cjs', 'chunk.cjs'], fromCache: [] });
    expect(readdirSync(path.join(dir, '.code-cache'))).toHaveLength(2);
    expect(start(entry)).toEqual({ said: 'first', compiled: [], fromCache: ['entry.cjs', 'chunk.cjs'] });

    // Same length, other code: the old cache must not run in its place.
    writeFileSync(chunk, `exports.say = () => 'again';`);
    expect(start(entry)).toEqual({ said: 'again', compiled: ['chunk.cjs'], fromCache: ['entry.cjs'] });
    // The old build's cache of the chunk went when the new one was written.
    expect(readdirSync(path.join(dir, '.code-cache')).filter((f) => f.startsWith('chunk.cjs.'))).toHaveLength(1);
    expect(start(entry)).toEqual({ said: 'again', compiled: [], fromCache: ['entry.cjs', 'chunk.cjs'] });
  });

  it('a folder it cannot write leaves the start as it was, compiled from source', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-code-cache-'));
    const entry = path.join(dir, 'entry.cjs');
    writeFileSync(entry, `exports.said = 'ok';`);
    // A file where the cache's folder would be: nothing can be written there, as in a read-only install.
    writeFileSync(path.join(dir, '.code-cache'), '');
    expect(start(entry)).toEqual({ said: 'ok', compiled: ['entry.cjs'], fromCache: [] });
    expect(start(entry)).toEqual({ said: 'ok', compiled: ['entry.cjs'], fromCache: [] });
  });
});
