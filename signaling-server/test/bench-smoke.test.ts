/**
 * `npm run bench:signaling` in a tiny run: every figure is there and nothing
 * failed. A benchmark is not a test, so no time is checked here, only that
 * the benchmark still runs against this server.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';
import { sqliteFileOnly } from './test-stores.js';

const RUN = path.resolve(import.meta.dirname, '../../bench/signaling/run.mjs');

describe.runIf(existsSync(RUN) && !sqliteFileOnly('bench:signaling measures the default SQLite store'))('bench:signaling smoke run', () => {
  it('writes every figure with no errors', async () => {
    const out = path.join(tempDir(), 'signaling.json');
    const args = ['--clients', '50', '--duration', '1', '--rate', '20', '--relay-rate', '100', '--relay-pairs', '10', '--presence-changes', '4', '--settle', '0.5', '--startup-runs', '1', '--full-team', '60', '--out', out];
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(process.execPath, [RUN, ...args], { timeout: 50_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (child.exitCode ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(run.code, run.output).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const percentiles = (value: unknown, keys: string[]) => {
      for (const k of keys) expect((value as Record<string, unknown>)[k], k).toEqual(expect.any(Number));
    };
    expect(r.clients).toBe(50);
    expect(r.loginStormSeconds).toEqual(expect.any(Number));
    expect(r.setupsPerSecond).toEqual(expect.any(Number));
    percentiles(r.timeToRingMs, ['p50', 'p95', 'p99']);
    percentiles(r.setupMs, ['p50', 'p95', 'p99']);
    percentiles(r.relayMs, ['p50', 'p99']);
    percentiles(r.baselineRelayMs, ['p50', 'p99']);
    expect(r.relayRatioP50).toEqual(expect.any(Number));
    percentiles(r.rssBytesPerClient, ['parley', 'baseline']);
    percentiles(r.rssKeptBytesPerClient, ['parley', 'baseline']);
    expect(Object.keys(r.presenceMessagesPerChange as object)).toEqual(['50']);
    // Every member watches 29 colleagues at most, not the team of 50.
    expect((r.presenceMessagesPerChange as Record<string, number>)['50']).toBeLessThan(40);
    const startup = r.startToListeningMs as { parley: Record<string, unknown>; baseline: Record<string, unknown>; ratioP50: unknown };
    percentiles(startup.parley, ['p50', 'min', 'max']);
    percentiles(startup.baseline, ['p50', 'min', 'max']);
    expect(startup.ratioP50).toEqual(expect.any(Number));
    // The full-team watch: all 60 see the 59 others online, on Parley and on the bare relay.
    const number: unknown = expect.any(Number);
    expect(r.fullTeamWatch).toMatchObject({ clients: 60, watching: 59, unseen: 0, seenAllSeconds: number, baselineSeenAllSeconds: number });
    expect(r.errors, JSON.stringify(r.errorKinds)).toBe(0);
  }, 60_000);
});
