/**
 * The entry of `npm run bench:room-restart` (run by Vitest, which loads the
 * e2e harness's TypeScript). Settings through the environment:
 * BENCH_ROOM_RUNS (10), BENCH_ROOM_OUT (bench/results/room-restart.json).
 */
import path from 'node:path';
import { it } from 'vitest';
import { DEFAULT_ROOM_OPTIONS, ROOM_RESULT_FILE, formatRoomTable, runRoomRestartBench, writeRoomResult } from './room-restart.js';

it('bench:room-restart', async () => {
  const raw = process.env.BENCH_ROOM_RUNS;
  const runs = raw === undefined || raw === '' ? DEFAULT_ROOM_OPTIONS.runs : Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_ROOM_RUNS must be a whole number from 1, not ${raw}`);
  const out = path.resolve(process.env.BENCH_ROOM_OUT ?? ROOM_RESULT_FILE);
  const result = await runRoomRestartBench({ runs }, (line) => console.log(line));
  writeRoomResult(result, out);
  console.log(`\n${formatRoomTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
