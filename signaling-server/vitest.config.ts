import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files whose tests prove nothing new on PostgreSQL and Redis: they never
 * reach a store, or reach it only through what the store-contract, multi-node
 * and restart files already cover there (settings, the HTTP and TLS edges, the
 * deployment kit, payload schemas, Janus media and its talking events, the echo
 * test call, TURN checks). The PostgreSQL + Redis run (PARLEY_TEST_STORES)
 * leaves them to the default run, which runs every file.
 */
const STORE_INDEPENDENT = [
  'config', 'config-sfu', 'deploy-janus', 'deploy-kit', 'hosts', 'tls', 'transports', 'web-root', 'metrics-access', 'tokens',
  'validation', 'code-cache', 'server-messages', 'shutdown', 'check-turn', 'testcall', 'testcall-candidates', 'testcall-limits', 'sfu', 'sfu-talking', 'sfu-view', 'sfu-talking-feeds', 'voicemail-audio', 'ws-receiver', 'session-stores', 'memory-trim',
].map((name) => `test/${name}.test.ts`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.PARLEY_TEST_STORES ? STORE_INDEPENDENT : [])],
    // Starts the backing stores PARLEY_TEST_STORES names (test/test-stores.ts).
    globalSetup: ['test/global-setup.ts'],
    // Closes what each test left open, and each file's stores (test/setup.ts).
    setupFiles: ['test/setup.ts'],
    // A worker loads the server's modules once for all its files, not once per file: in CI that loading took
    // 169 s of the SQLite run's workers (about 85 s of its wall time), as much again on PostgreSQL. Nothing a
    // file changes outlives it: spies and stubbed variables are restored after each test, and the helpers'
    // state is reset by setup.ts.
    isolate: false,
    restoreMocks: true,
    unstubEnvs: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real servers and child processes: keep two files at a time on two cores.
    maxWorkers: 2,
    // fuzz.test.ts measures the heap after global.gc().
    execArgv: ['--expose-gc'],
    // Cheap password hashes (test-only, refused outside NODE_ENV=test): a sign-in then costs a millisecond
    // instead of half a second of a core. The tests of hashing itself ask for production's (account-rules.test.ts).
    env: { PARLEY_TEST_CHEAP_HASHES: '1' },
  },
});
