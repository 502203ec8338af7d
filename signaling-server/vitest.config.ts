import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the backing stores PARLEY_TEST_STORES names (test/test-stores.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real servers and child processes: keep two files at a time on two cores.
    maxWorkers: 2,
    // fuzz.test.ts measures the heap after global.gc().
    execArgv: ['--expose-gc'],
  },
});
