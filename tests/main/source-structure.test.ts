/**
 * The source stays readable: no file over 400 lines, and no import cycles,
 * across the app (main, preload, shared and the renderer: relative imports of
 * .ts, .svelte.ts and .svelte files, as written in the source) and the
 * signaling server (whose imports name a .ts file by its .js output). The
 * line limit holds for the code around them too: tests, benchmarks, scripts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Each tree is checked on its own: neither imports the other's source. */
const TREES = [path.join(ROOT, 'src'), path.join(ROOT, 'signaling-server/src')];
/** Tests, benchmarks and scripts: held to the line limit (their imports reach into the trees above). */
const AROUND = ['tests', 'bench', 'scripts', '.ci', 'signaling-server/test', 'signaling-server/scripts'].map((d) => path.join(ROOT, d));
const MAX_LINES = 400;
/** Folders of output, never source. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'out', 'results', 'test-results']);

function files(dir: string, pattern = /\.(ts|svelte)$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return NOT_SOURCE.has(e.name) ? [] : files(p, pattern);
    return pattern.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The files a source file imports (relative specifiers only), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    // Type-only imports vanish at build time but still tie modules together: they count.
    const spec = m[1] ?? m[2];
    if (!spec) continue;
    const target = path.resolve(path.dirname(file), spec);
    out.push(target.endsWith('.js') ? target.slice(0, -3) + '.ts' : target);
  }
  return out;
}

/** Every cycle found by depth-first search, each as a list of files. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('source structure', () => {
  const all = TREES.flatMap((tree) => files(tree));

  it(`has no file over ${MAX_LINES} lines, tests, benchmarks and scripts included`, () => {
    const around = AROUND.flatMap((dir) => files(dir, /\.(ts|svelte|mjs|cjs|js)$/));
    const long = [...all, ...around]
      .map((f) => ({ file: path.relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(all.map((f) => [f, importsOf(f)]));
    const cycles = findCycles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
