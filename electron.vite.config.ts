import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { compression } from 'vite-plugin-compression2';

/** The renderer's call machinery and call screens (src/renderer/src/call, screens/call). */
const CALL_CODE = /[\\/]src[\\/]renderer[\\/]src[\\/](call|screens[\\/]call)[\\/]/;
/** The screens behind a tab or a missed call: Settings, History, Rooms, voicemail (and the recorder it uses). */
const SCREENS_CODE = /[\\/]src[\\/]renderer[\\/]src[\\/](screens[\\/](settings|voicemail|directory[\\/](History|Rooms))|voicemail[\\/]recording)/;

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
      // Brotli and gzip copies beside each file worth it, which the server sends by Accept-Encoding (web-root.ts).
      compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024, logLevel: 'silent' }),
      {
        // Vite's dev server injects <style> elements for hot reload; the built app never needs inline styles.
        name: 'parley-dev-csp',
        apply: 'serve',
        transformIndexHtml: (html: string) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
      },
    ],
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
            groups: [
              // Everything of the first paint in one file (the Svelte runtime, zod and the shell).
              { name: 'shell', tags: ['$initial'], priority: 2 },
              // The call code and its stage: both asked for at start (lazy-calls.svelte.ts, stage-loader.ts).
              // Not RNNoise's loader: its library names AudioWorkletNode as it loads, which a browser
              // without it refuses (denoiser.ts is loaded only when a microphone opens with it).
              // The other screens in one file: each alone repeated the runtime's import list and compressed apart (3 KB more).
              { name: 'screens', test: (id: string) => SCREENS_CODE.test(id), priority: 1 },
              { name: 'call', test: (id: string) => CALL_CODE.test(id) && !id.endsWith('denoiser.ts'), priority: 1 },
            ],
          },
        },
      },
    },
  },
});
