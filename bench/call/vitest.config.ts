// `npm run bench:call`: one long "test" that runs the benchmark (bench/call/main.ts).
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['bench/call/main.ts'],
    environment: 'node',
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
    // The progress lines and the table go straight to the terminal.
    disableConsoleIntercept: true,
  },
});
