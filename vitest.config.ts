import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // package.json runs the browser suite on its own (test:e2e): two Chromiums
    // negotiating at once on two cores stalled ICE gathering in one of them.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        test: {
          // Main process and preload against a recording fake of Electron (tests/main/fake-electron.ts).
          name: 'main',
          include: ['tests/main/**/*.test.ts'],
          environment: 'node',
          // The files share each worker's modules (31 files in 34 s, against 51 with a module graph each): every
          // file mocks electron with the same fake and resets it before each test; stubs are undone after each.
          isolate: false,
          unstubGlobals: true,
          unstubEnvs: true,
          // The main process logs every refusal; tests provoke many. PARLEY_LOG_LEVEL=debug shows them.
          env: { PARLEY_LOG_LEVEL: process.env.PARLEY_LOG_LEVEL ?? 'silent' },
        },
      },
      {
        plugins: [svelte()],
        test: {
          // Pure renderer modules: state machine, view models, quality score.
          name: 'renderer',
          include: ['src/renderer/src/**/*.test.ts'],
          environment: 'node',
          // As main's: 84 files in 15 s, against 53.
          isolate: false,
          unstubGlobals: true,
          unstubEnvs: true,
        },
      },
      {
        test: {
          // The built desktop app under Playwright's Electron driver; skips itself without the binary.
          name: 'electron',
          include: ['tests/electron/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Real Chromium against a real server serving the web build (out/renderer).
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // One browser with several users at a time is all two cores take.
          fileParallelism: false,
          // The files share the worker's modules (loaded once, not once per file: 40 to 50 s of a CI run);
          // what a test leaves open is closed by the server helpers' setup.ts below.
          isolate: false,
          // One Chromium for the run, shared by the files (tests/e2e/global-setup.ts).
          globalSetup: ['tests/e2e/global-setup.ts'],
          // Closes what the server's test helpers (signaling-server/test) left open after each test.
          setupFiles: ['signaling-server/test/setup.ts'],
          // Cheap password hashes (test-only, refused outside NODE_ENV=test): a sign-in costs a millisecond, not half a second.
          // A 10 frames a second fake camera (tests/e2e/chromium.ts).
          env: { PARLEY_TEST_CHEAP_HASHES: '1', PARLEY_TEST_CAMERA_FPS: '10' },
        },
      },
    ],
  },
});
