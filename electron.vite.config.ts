import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { minify, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { classicScripts } from './scripts/classic-scripts.js';

/** The renderer's call machinery and call screens (src/renderer/src/call, screens/call). */
const CALL_CODE = /[\\/]src[\\/]renderer[\\/]src[\\/](call|screens[\\/]call)[\\/]/;
/** The signaling client, Socket.IO and the protocol module (signaling-server/dist/protocol). */
const SIGNALING_CODE =
  /[\\/]signaling-server[\\/]dist[\\/]protocol[\\/]|[\\/]connection[\\/]signaling\.ts$|[\\/]node_modules[\\/](socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io)[\\/]/;
/** The desktop bridge (src/renderer/src/desktop) and the code main and the renderer share (src/shared). */
const DESKTOP_CODE = /[\\/]src[\\/](shared|renderer[\\/]src[\\/]desktop)[\\/]/;
/**
 * The screens behind a tab or a missed call (Settings, History, voicemail and the recorder it uses) and the rooms under
 * the contacts: they load with the call code, compressed with it (2.5 KB less than in files of their own).
 */
const SCREENS_CODE =
  /[\\/]src[\\/]renderer[\\/]src[\\/](screens[\\/](settings|voicemail|directory[\\/](History|Rooms|RoomRow)\.svelte)|voicemail[\\/]recording)/;

/**
 * Svelte's scoped class names, shorter than its own `svelte-` and seven characters: they are in every element of
 * every template. Two components whose different CSS hashed alike would style each other's elements: the build stops.
 */
function cssHash(): (input: { hash: (text: string) => string; css: string }) => string {
  const seen = new Map<string, string>();
  return ({ hash, css }) => {
    const name = `s${hash(css).slice(0, 5)}`;
    const before = seen.get(name);
    if (before !== undefined && before !== css) throw new Error(`two components' CSS hash to ${name}: make cssHash longer`);
    seen.set(name, css);
    return name;
  };
}

/**
 * engine.io-client (Socket.IO's transport layer) and socket.io-client without what Parley's clients never run: each edit is [what, by
 * what], made in the library's ES build as it is bundled. Each must match exactly once: the build stops when the
 * library no longer reads as expected.
 */
const ENGINE_EDITS: { file: RegExp; edits: [string, string][] }[] = [
  {
    // The WebTransport transport: Parley speaks WebSocket, with long-polling as the fallback (signaling.ts), and its
    // server serves no HTTP/3. With the stream parsers only it uses, 0.8 KB of the renderer's gzip.
    file: /[\\/]engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]index\.js$/,
    edits: [
      ['import { WT } from "./webtransport.js";\n', ''],
      ['    webtransport: WT,\n', ''],
    ],
  },
  {
    // Internet Explorer's ways in the long-polling transport: attachEvent and ActiveX's XMLHTTP.
    file: /[\\/]engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]polling-xhr\.js$/,
    edits: [
      ['    if (typeof attachEvent === "function") {\n        // @ts-ignore\n        attachEvent("onunload", unloadHandler);\n    }\n    else if', '    if'],
      ['    if (!xdomain) {\n        try {\n            return new globalThis[["Active"].concat("Object").join("X")]("Microsoft.XMLHTTP");\n        }\n        catch (e) { }\n    }\n', ''],
    ],
  },
  {
    // Socket.IO's own parser and its binary attachments: the client takes Parley's text-only one (text-packets.ts),
    // 1.5 KB of the renderer's gzip with them. Without it, a Manager throws as it is made.
    file: /[\\/]socket\.io-client[\\/]build[\\/]esm[\\/]manager\.js$/,
    edits: [['const _parser = opts.parser || parser;', 'const _parser = opts.parser;']],
  },
];

/**
 * src/renderer/early.js, the classic script index.html runs before the app's module, as the page's `early.js`:
 * outside the bundle (it must run before the modules do), minified like it (its comments are a third of a KB
 * gzipped), and as it is under the dev server.
 */
function earlyScript(): Plugin {
  const file = resolve(import.meta.dirname, 'src/renderer/early.js');
  return {
    name: 'parley-early-script',
    configureServer(server) {
      server.middlewares.use('/early.js', (_req, res) => {
        res.setHeader('Content-Type', 'text/javascript');
        res.end(readFileSync(file));
      });
    },
    async generateBundle() {
      const { code, errors } = await minify('early.js', readFileSync(file, 'utf8'));
      if (errors.length > 0) throw new Error(`early.js: ${errors.map((e) => e.message).join('; ')}`);
      this.emitFile({ type: 'asset', fileName: 'early.js', source: code });
    },
  };
}

function trimmedEngine() {
  return {
    name: 'parley-trimmed-engine',
    transform(code: string, id: string) {
      const file = ENGINE_EDITS.find((f) => f.file.test(id));
      if (!file) return null;
      let out = code;
      for (const [what, by] of file.edits) {
        if (out.split(what).length !== 2) throw new Error(`${id} changed: update ENGINE_EDITS in electron.vite.config.ts`);
        out = out.replace(what, by);
      }
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  main: {
    build: { outDir: 'out/main' },
  },
  preload: {
    // Sandboxed preloads cannot be ES modules: emit CommonJS (out/preload/index.cjs).
    build: { outDir: 'out/preload', rolldownOptions: { output: { format: 'cjs' } } },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    // Relative asset URLs: the same build runs from the app:// protocol and from the server's web root.
    base: './',
    plugins: [
      svelte({ compilerOptions: { cssHash: cssHash(), discloseVersion: false } }),
      trimmedEngine(),
      earlyScript(),
      // Chunks as classic scripts, which Chromium keeps compiled between loads (src/renderer/loader.js says why).
      // The call code compiled as it loads after the list: a page's first call then runs no function for the first time
      // uncompiled (bench:call, first calls: played at p50 51 and 55 ms against 96 and 73 without).
      classicScripts(resolve(import.meta.dirname, 'src/renderer/loader.js'), ['call']),
      // Brotli and gzip copies beside each file worth it, which the server sends by Accept-Encoding (web-root.ts).
      compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024, logLevel: 'silent' }),
      {
        // Vite's dev server injects <style> elements for hot reload; the built app never needs inline styles.
        name: 'parley-dev-csp',
        apply: 'serve',
        transformIndexHtml: (html: string) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
      },
    ],
    // Workers as ES modules: no wrapper around their code.
    worker: { format: 'es' },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified by default; the web build goes over the network.
      minify: true,
      rollupOptions: {
        input: resolve(import.meta.dirname, 'src/renderer/index.html'),
        output: {
          // Fewer, larger chunks where they load together: each chunk is compressed
          // alone and names what it shares with the others (6 KB gzipped in all).
          codeSplitting: {
            // A module goes to the first group, by priority, that captures it or a module depending on it; what no
            // group takes follows its importers. Each group's place is for when it loads, and what it must not pull in.
            groups: [
              // Everything of the first paint in one file (the Svelte runtime, zod and the shell).
              { name: 'shell', tags: ['$initial'], priority: 4 },
              // The connection, asked for first thing (early-signaling.ts): Socket.IO and the protocol's schemas of what
              // the server sends, built here rather than in the first paint's task (the shell imports only
              // parley-server/protocol/primitives and /voicemail).
              { name: 'signaling', test: (id: string) => SIGNALING_CODE.test(id), priority: 3 },
              // The desktop app's bridge and what main and the renderer share (src/shared): never in the web's first paint.
              { name: 'desktop', test: (id: string) => DESKTOP_CODE.test(id), priority: 3 },
              // The call code and its stage, asked for once a contact list is on screen (App.svelte), and the other
              // screens (Main.svelte shows the rooms once it is in). Not RNNoise's loader: its library names
              // AudioWorkletNode as it loads, which a browser without it refuses (denoiser.ts is loaded only when a
              // microphone opens with it).
              { name: 'call', test: (id: string) => (CALL_CODE.test(id) && !id.endsWith('denoiser.ts')) || SCREENS_CODE.test(id), priority: 2 },
            ],
          },
        },
      },
    },
  },
});
