/**
 * `npm run bench:app` still produces every figure: a one-run, 60-contact
 * pass of bench/app/run.mjs on the current build (more contacts than the
 * list renders at once, so "all rows in the DOM" also checks that the rest
 * follow). It checks that each figure is there, never how fast anything was
 * (benchmarks do not gate).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { ROOT } from './harness.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positive = expect.any(Number) as unknown;
const times = { p50: positive, min: positive, max: positive };
const sizes = { raw: positive, gzip: positive, brotli: positive };

describe('bench:app (quick check)', () => {
  it('measures the bundle, both loads and the heap of the app and of each baseline', async () => {
    const out = path.join(dir, 'app.json');
    await run(process.execPath, ['bench/app/run.mjs', '--quick', '--runs', '1', '--contacts', '60', '--out', out], { cwd: ROOT, timeout: 150_000 });
    const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
    for (const name of ['app', 'minimalSvelte', 'staticPage']) {
      expect(result.bundle![name], name).toMatchObject({ js: sizes, initialJs: sizes });
      const page = result.pages![name] as Record<string, unknown>;
      const loads = { interactiveMs: times, visibleMs: times, completeMs: times, fcpMs: times };
      expect(page, name).toMatchObject({ ...loads, warm: loads, heap: { usedBytes: positive, domNodes: positive } });
    }
    expect(result.verdict).toMatchObject({ jsGzipBytes: positive, interactiveP50Ms: positive, returningInteractiveP50Ms: positive });
  });

  it('bench:app and bench:client print their --help without building or measuring, and refuse a bad option', async () => {
    for (const script of ['bench/app/run.mjs', 'bench/client/cli.mjs']) {
      const { stdout } = await run(process.execPath, [script, '--help'], { cwd: ROOT, timeout: 30_000 });
      expect(stdout, script).toMatch(/^npm run bench:\w+ -- \[options\]/);
      expect(stdout, script).toMatch(/--out FILE/);
      await expect(run(process.execPath, [script, '--contacts', 'many'], { cwd: ROOT, timeout: 30_000 }), script).rejects.toThrow(/--contacts must be a whole number/);
    }
  });

  it.skipIf(electronBinary() !== null)('bench:electron says it skipped where there is no Electron binary', async () => {
    const { stdout } = await run(process.execPath, ['bench/app/electron.mjs'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toMatch(/skipped: no Electron binary/);
  });
});
