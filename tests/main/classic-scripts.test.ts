/**
 * The renderer's build as classic scripts (scripts/classic-scripts.ts): how a chunk and index.html are rewritten,
 * and that the build in out/ is so (skipped, saying so, without a build).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPILE_HINT, classicHtml, runOrder, wrapChunk } from '../../scripts/classic-scripts.js';

describe('a chunk as a classic script', () => {
  it('defines itself, names the chunks it requires for the table, and imports dynamically through the loader', () => {
    const code = 'const e=require("./app-1.js");require("./app-1.js");var t=()=>Promise.resolve().then(()=>require("./call-2.js")).then(e=>e.t);exports.a=t;';
    const { code: wrapped, requires } = wrapChunk('signaling-3.js', code);
    expect(requires).toEqual(['app-1.js']);
    expect(wrapped).toBe(
      '__parley.define((function(require,exports,module){"use strict";' +
        'const e=require("./app-1.js");require("./app-1.js");var t=()=>__parley.load("call-2.js").then(e=>e.t);exports.a=t;\n}));',
    );
    // Named where it shares its script with another chunk.
    expect(wrapChunk('runtime-4.js', 'exports.t=1;', true).code).toBe('__parley.define((function(require,exports,module){"use strict";exports.t=1;\n}),"runtime-4.js");');
  });

  it('reads an unminified build as well', () => {
    const code = 'const e = require("./app-1.js");\nvar t = () => Promise.resolve().then(() => require("./call-2.js"));';
    expect(wrapChunk('a.js', code)).toMatchObject({ requires: ['app-1.js'] });
    expect(wrapChunk('a.js', code).code).toContain('var t = () => __parley.load("call-2.js");');
  });

  it('stops the build on an import() or import.meta it would leave as it is', () => {
    expect(() => wrapChunk('a.js', 'import("./b.js")')).toThrow('a.js: an import() or import.meta');
    expect(() => wrapChunk('a.js', 'new URL("x",import.meta.url)')).toThrow('a.js: an import() or import.meta');
  });
});

describe("index.html's scripts", () => {
  const table = { 'index-1.js': { requires: ['runtime-2.js'], css: [] }, 'runtime-2.js': { requires: [], css: [] }, 'call-3.js': { requires: ['index-1.js'], css: [] } };

  it('runs the entry after what it requires, deferred, where the module script was', () => {
    const order = runOrder('index-1.js', table);
    expect(order).toEqual(['runtime-2.js', 'index-1.js']);
    const html = '<head>\n    <script defer src="./early.js" ></script>\n    <script type="module" crossorigin src="./assets/index-1.js"></script>\n</head>';
    expect(classicHtml(html, order)).toBe(
      '<head>\n    <script defer src="./early.js" ></script>\n' +
        '    <script defer src="./assets/runtime-2.js"></script>\n    <script defer src="./assets/index-1.js"></script>\n</head>',
    );
  });

  it('stops the build when index.html reads otherwise', () => {
    const order = runOrder('index-1.js', table);
    expect(() => classicHtml('<head></head>', order)).toThrow('index.html: expected one module script, of index-1.js');
    expect(() => classicHtml('<script type="module" crossorigin src="./assets/call-3.js"></script>', order)).toThrow('expected one module script');
    const preload = '<script type="module" crossorigin src="./assets/index-1.js"></script><link rel="modulepreload" href="./assets/runtime-2.js">';
    expect(() => classicHtml(preload, order)).toThrow('expected one module script');
  });
});

const RENDERER = resolve(import.meta.dirname, '../../out/renderer');
const built = existsSync(join(RENDERER, 'index.html'));
if (!built) console.warn('tests/main/classic-scripts.test.ts: the build checks skipped: no out/renderer (run `npx electron-vite build`)');

describe.skipIf(!built)('the built renderer (out/renderer)', () => {
  it('has no module script; the first script index.html runs opens with the loader, and every chunk defines itself through it', () => {
    const html = readFileSync(join(RENDERER, 'index.html'), 'utf8');
    expect(html).not.toMatch(/type="module"|modulepreload/);
    const scripts = [...html.matchAll(/<script defer src="\.\/assets\/([^"]+)"/g)].map((m) => m[1]!);
    const chunks = readdirSync(join(RENDERER, 'assets')).filter((f) => f.endsWith('.js') && !/\.(worker|worklet)-/.test(f));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks).toEqual(expect.arrayContaining(scripts));
    for (const chunk of chunks) {
      const code = readFileSync(join(RENDERER, 'assets', chunk), 'utf8');
      // The first paint's chunks and the call code open with V8's compile hint; the others compile as they are called.
      const hinted = code.startsWith(COMPILE_HINT);
      expect(hinted, chunk).toBe(scripts.includes(chunk) || chunk.startsWith('call-'));
      const lines = code.slice(hinted ? COMPILE_HINT.length : 0).split('\n');
      const defines = lines.filter((line) => line.startsWith('__parley.define((function(require,exports,module){'));
      if (chunk === scripts[0]) {
        // The loader, Rolldown's runtime (a chunk of its own no more, so named), then the chunk itself.
        expect(lines[0], chunk).toContain('window.__parley=');
        expect(lines[1], chunk).toBe(defines[0]);
        expect(code, chunk).toMatch(/\n\}\),"rolldown-runtime-[\w-]+\.js"\);\n__parley\.define\(/);
        expect(defines, chunk).toHaveLength(2);
      } else expect([lines[0] === defines[0], defines.length], chunk).toEqual([true, 1]);
      // Vite's preload helper is the call only: no files to preload, no import.meta.url.
      expect(code, chunk).not.toMatch(/\{\}\.url|vite:preloadError/);
    }
  });
});
