// `npm run bench:call`, `bench:room-restart`, `bench:client`, `bench:wakes`, `bench:denoise`, `bench:sfu`, `bench:meeting` and `bench:quality`: one long
// "test" each that runs the benchmark (bench/call/main.ts, bench/call/room-restart-main.ts, bench/client/main.ts, bench/client/wakes.ts, bench/denoise/main.ts,
// bench/sfu/main.ts, bench/meeting/main.ts, bench/quality/main.ts); the script names the file.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['bench/call/main.ts', 'bench/quality/main.ts', 'bench/call/room-restart-main.ts', 'bench/client/main.ts', 'bench/client/wakes.ts', 'bench/denoise/main.ts', 'bench/sfu/main.ts', 'bench/meeting/main.ts'],
    environment: 'node',
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
    // The progress lines and the table go straight to the terminal.
    disableConsoleIntercept: true,
    // Closes what the server's test helpers (signaling-server/test: a server, a child server) left open.
    setupFiles: ['signaling-server/test/setup.ts'],
  },
});
