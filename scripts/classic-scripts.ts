/**
 * The renderer's build as classic scripts (src/renderer/loader.js says why: Chromium reuses a classic script's
 * compiled code, not a module's). Rolldown writes the chunks as CommonJS; this plugin then
 * - wraps each chunk in `__parley.define(factory)` and turns each dynamic import, which Rolldown writes
 *   as `Promise.resolve().then(() => require("./x.js"))`, into `__parley.load("x.js")`;
 * - opens the first chunk index.html runs with loader.js (minified), given the table of each chunk's requires and
 *   stylesheets, and with Rolldown's runtime helpers when they are a chunk of their own;
 * - leaves of Vite's preload helper only the call: the loader loads a chunk's stylesheets;
 * - has index.html run the entry and what it requires, deferred, where Vite put the entry's module script;
 * - writes the URLs of built files (workers, the RNNoise worklet) against the page, not `import.meta.url`;
 * - marks the first paint's chunks, and those named in `compiledAhead`, with V8's compile hint: they compile while they
 *   stream in, not function by function on the main thread as they are first called.
 * Each step checks that the code reads as expected: the build stops when Rolldown or Vite write it otherwise.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { minify, type Plugin, type Rollup } from 'vite';

const TABLE = 'PARLEY_CHUNKS';
/** The module of Rolldown's runtime helpers. */
const ROLLDOWN_RUNTIME = '\0rolldown/runtime.js';
/** The module of Vite's `__vitePreload`, and the arguments after the import it is given in CommonJS (no files, import.meta.url). */
const PRELOAD_HELPER = '\0vite/preload-helper.js';
const PRELOAD_ARGS = ', void 0, {}.url)';
/**
 * V8's explicit compile hint (Chromium 136 on), first in a script: compile every function in it eagerly, on the thread
 * that streams it, rather than each on the main thread when first called. For code that runs soon after it loads and
 * has no code cache yet: a first visit, the first call after a load (bench/results/NOTES.md, "compile hint").
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
/** How Rolldown's CommonJS writes `import("./x.js")` and a static import, minified or not. */
const DYNAMIC = /Promise\.resolve\(\)\.then\(\s*\(\)\s*=>\s*require\(\s*"\.\/([^"]+)"\s*\)\s*\)/g;
const STATIC = /\brequire\(\s*"\.\/([^"]+)"\s*\)/g;
/** The app's module script, as Vite writes it in index.html. */
const ENTRY = /<script type="module" crossorigin src="\.\/assets\/([^"]+)"><\/script>/g;

export interface ChunkTable {
  [file: string]: { requires: string[]; css: string[] };
}

/**
 * A chunk as a classic script of the loader's, and the chunks it requires: its dynamic imports through the loader.
 * `named`: the chunk shares its script with another, so the loader cannot tell it by the script's file.
 */
export function wrapChunk(name: string, code: string, named = false): { code: string; requires: string[] } {
  const loaded = code.replace(DYNAMIC, (_, file: string) => `__parley.load(${JSON.stringify(file)})`);
  if (/\bimport\(|\bimport\.meta\b/.test(loaded)) throw new Error(`${name}: an import() or import.meta the loader does not handle`);
  const requires = [...new Set([...loaded.matchAll(STATIC)].map((m) => String(m[1])))];
  // "use strict": what an ES module is, and the code was written for. The factory in parentheses: V8 then compiles it
  // while the script streams in, not on the main thread when it is called (a chunk is one function).
  const factory = `(function(require,exports,module){"use strict";${loaded}\n})`;
  // Its name and what it requires are the loader's to know (the script's file, the table): each file is that much less.
  return { code: `__parley.define(${factory}${named ? `,${JSON.stringify(name)}` : ''});`, requires };
}

/** A chunk of Rolldown's runtime helpers alone. */
const isRuntime = (chunk: Rollup.OutputChunk): boolean => Object.keys(chunk.modules).join() === ROLLDOWN_RUNTIME;

/** The entry and the chunks it requires, in the order to run them: each after those it requires. */
export function runOrder(entry: string, table: ChunkTable): string[] {
  const order: string[] = [];
  const visit = (file: string) => {
    if (order.includes(file)) return;
    for (const dep of table[file]?.requires ?? []) visit(dep);
    order.push(file);
  };
  visit(entry);
  return order;
}

/** index.html with `order` (the entry last), deferred, in place of the entry's module script. */
export function classicHtml(html: string, order: string[]): string {
  const [entry, ...more] = [...html.matchAll(ENTRY)];
  if (!entry || more.length > 0 || entry[1] !== order.at(-1) || /modulepreload/.test(html)) {
    throw new Error(`index.html: expected one module script, of ${order.at(-1)}, and no module preloads`);
  }
  return html.replace(entry[0], order.map((file) => `<script defer src="./assets/${file}"></script>`).join('\n    '));
}

/**
 * `loader`: the path of src/renderer/loader.js (this file is bundled into the config, away from its folder).
 * `compiledAhead`: the names of chunks (besides the first paint's) to compile as they load.
 */
export function classicScripts(loader: string, compiledAhead: readonly string[] = []): Plugin {
  const loaderSource = readFileSync(loader, 'utf8');
  // In every chunk's hash: a chunk of the same code under another loader or wrapper is another file.
  const version = createHash('sha256').update(loaderSource).update(wrapChunk.toString()).update(COMPILE_HINT).digest('hex').slice(0, 8);
  let order: string[] | null = null;
  return {
    name: 'parley-classic-scripts',
    apply: 'build',
    config: () => ({
      build: { rollupOptions: { output: { format: 'cjs' } } },
      // Against the page (index.html is at the build's root), where an ES module would use its own URL.
      experimental: {
        renderBuiltUrl: (file: string, { hostType }: { hostType: 'js' | 'css' | 'html' }) =>
          hostType === 'js' ? { runtime: `new URL(${JSON.stringify(file)},document.baseURI).href` } : undefined,
      },
    }),
    augmentChunkHash: () => version,
    // Vite's preload helper, around each dynamic import: it would add the chunk's stylesheets and preloads, which the
    // loader's load() adds itself. Only the call, here, given only the import: `__vitePreload(() => import(…))`.
    load: {
      order: 'pre',
      handler: (id) => (id === PRELOAD_HELPER ? 'export const __vitePreload = (load) => load();' : null),
    },
    renderChunk(code, chunk) {
      const out = code.replaceAll(PRELOAD_ARGS, ')');
      if (out.includes('{}.url')) throw new Error(`${chunk.fileName}: an import.meta.url, which a classic script has not`);
      return out === code ? null : { code: out, map: null };
    },
    // Vite passes a dynamic import's importer as import.meta.url to its preload helper, which CommonJS writes as {}.url
    // (and renderChunk above removes). A built file's URL is written against the page (config, above).
    onLog: (_level, log) => log.code !== 'EMPTY_IMPORT_META',
    generateBundle: {
      // Before Vite's own steps, which the compressed copies follow (vite-plugin-compression2): they are of this code.
      order: 'pre',
      async handler(_options, bundle) {
        const table: ChunkTable = {};
        const chunks = new Map<string, Rollup.OutputChunk>();
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk') continue;
          const name = basename(chunk.fileName);
          // Rolldown's runtime goes in the first script, beside its own chunk (below).
          const { code, requires } = wrapChunk(name, chunk.code, isRuntime(chunk));
          chunk.code = code;
          chunks.set(name, chunk);
          const css = (chunk as Rollup.OutputChunk & { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? [];
          table[name] = { requires, css: [...css].map((file) => basename(file)) };
        }
        const [entry, ...others] = [...chunks.values()].filter((chunk) => chunk.isEntry);
        if (!entry || others.length > 0) throw new Error('expected one entry chunk');
        order = runOrder(basename(entry.fileName), table);
        // The loader opens the first script index.html runs: no request of its own. So does Rolldown's runtime (its
        // helpers, a few hundred bytes) when it is a chunk of its own: defined there, it has run before any chunk
        // requiring it loads, so no chunk lists it among what it requires.
        const first = chunks.get(order[0] ?? '');
        if (!first) throw new Error('no chunk to open with the loader');
        const runtime = [...chunks].find(([, chunk]) => isRuntime(chunk));
        if (runtime && runtime[1] !== first) {
          first.code = `${runtime[1].code}\n${first.code}`;
          Reflect.deleteProperty(bundle, runtime[1].fileName);
          chunks.delete(runtime[0]);
          for (const entry of Object.values(table)) entry.requires = entry.requires.filter((file) => file !== runtime[0]);
        }
        const call = `})(${TABLE});`;
        if (loaderSource.split(call).length !== 2) throw new Error(`loader.js: expected one ${call}`);
        const { code, errors } = await minify('loader.js', loaderSource.replace(call, `})(${JSON.stringify(table)});`));
        if (errors.length > 0 || code.includes(TABLE)) throw new Error(`loader.js: ${errors.map((e) => e.message).join('; ') || 'its table was not written'}`);
        first.code = `${code.trim()}\n${first.code}`;
        const names = new Set([...chunks.values()].map((chunk) => chunk.name));
        const unknown = compiledAhead.filter((name) => !names.has(name));
        if (unknown.length > 0) throw new Error(`no chunk named ${unknown.join(', ')} to compile ahead`);
        for (const [file, chunk] of chunks) if (order.includes(file) || compiledAhead.includes(chunk.name)) chunk.code = COMPILE_HINT + chunk.code;
      },
    },
    transformIndexHtml: {
      // After Vite has put the entry's module script in: it runs in Vite's own generateBundle, after the one above.
      order: 'post',
      handler(html) {
        if (!order) throw new Error('index.html before the chunks were wrapped');
        return classicHtml(html, order);
      },
    },
  };
}
