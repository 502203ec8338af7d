// What bench:app weighs: the bytes of a built page (all of it, and what its
// first paint loads), raw and compressed, and the minimal Svelte page it is
// weighed against, built like the app.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

const HERE = import.meta.dirname;

export const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function compressed(buf) {
  return {
    raw: buf.length,
    // Level 6: what gzip, nginx's gzip_comp_level 6 and zlib default to.
    gzip: gzipSync(buf, { level: 6 }).length,
    brotli: brotliCompressSync(buf, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const ZERO = { raw: 0, gzip: 0, brotli: 0 };

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => String(f))
    .filter((f) => statSync(path.join(dir, f)).isFile());
}

/** Bytes of a built page: its JS and CSS, in total and what index.html loads before first paint. */
export function bundleSizes(dir) {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  // Scripts, stylesheets and module preloads named by index.html: what the first paint waits for.
  const initial = new Set([...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => path.normalize(m[1])));
  const out = { js: ZERO, css: ZERO, initialJs: ZERO, initialCss: ZERO, files: [] };
  for (const f of files(dir)) {
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    const size = compressed(readFileSync(path.join(dir, f)));
    const first = initial.has(path.normalize(f));
    out.files.push({ file: f, initial: first, ...size });
    out[kind] = add(out[kind], size);
    if (first) out[kind === 'js' ? 'initialJs' : 'initialCss'] = add(out[kind === 'js' ? 'initialJs' : 'initialCss'], size);
  }
  out.files.sort((a, b) => b.raw - a.raw);
  return out;
}

/**
 * The minimal Svelte page, built like the app (Vite, the Svelte plugin, minified): as Vite builds it, an ES module;
 * with `classic`, one classic script (an IIFE run deferred), as the app's chunks are, whose compiled code Chromium
 * keeps between loads (a module's it does not: src/renderer/loader.js).
 */
export async function buildSvelteBaseline(outDir, { classic = false } = {}) {
  const deferred = { name: 'baseline-classic', transformIndexHtml: { order: 'post', handler: (html) => html.replace('<script type="module" crossorigin src=', '<script defer src=') } };
  await build({
    configFile: false,
    logLevel: 'warn',
    root: path.join(HERE, 'baselines/svelte'),
    base: './',
    plugins: [svelte({ configFile: false }), ...(classic ? [deferred] : [])],
    build: { outDir, emptyOutDir: true, minify: true, ...(classic ? { rollupOptions: { output: { format: 'iife' } } } : {}) },
  });
  if (classic && !readFileSync(path.join(outDir, 'index.html'), 'utf8').includes('<script defer src=')) throw new Error('the classic baseline is still a module');
}
