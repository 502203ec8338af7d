/**
 * The e2e project's global setup: one Chromium for the whole run, with the
 * test flags and the 440 Hz tone as its fake microphone, served by
 * playwright's browser server. Each test file connects to it (harness.ts,
 * the `browser` fixture) and opens fresh contexts, closed after the file;
 * launching a Chromium per file cost seconds each. Files that need another
 * browser (another fake microphone, a network namespace) launch their own.
 *
 * If this Chromium dies while the tests run, it is launched again at the same
 * address and the crash is printed: the file that was running fails (its
 * pages are gone, and its world's close says why), the files after it connect
 * to the new one.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, chromiumArgs, writeToneWav } from './chromium.js';

/** Where the shared Chromium's own log goes (harness.ts's ARTIFACTS, not imported: the harness needs a test file's context). */
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-results/e2e');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-chromium-'));
  const wav = path.join(dir, 'tone.wav');
  writeToneWav(wav);
  const wsPath = `/chromium-${randomUUID()}`;
  let port = 0;
  let closing = false;
  let crashes = 0;
  let relaunched: Promise<void> = Promise.resolve();
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(path.join(ARTIFACTS, 'shared-chromium.log'));

  const launch = async (): Promise<BrowserServer> => {
    const server = await chromium.launchServer({ executablePath: CHROMIUM, args: chromiumArgs(wav, [], project.config.env), host: '127.0.0.1', port, wsPath });
    port = Number(new URL(server.wsEndpoint()).port);
    const pid = server.process().pid;
    // What Chromium says of itself (a page's renderer crashing reaches a test only as "Target crashed"): kept across relaunches.
    server.process().stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    server.on('close', () => {
      if (closing) return;
      crashes++;
      console.error(`[e2e] the shared Chromium (pid ${pid}) exited while tests ran: the file running fails, and it is launched again for the files after it`);
      relaunched = launch().then(
        (next) => {
          current = next;
        },
        (err: unknown) => console.error('[e2e] the shared Chromium could not be launched again', err),
      );
    });
    return server;
  };

  let current = await launch();
  project.provide('chromiumEndpoint', current.wsEndpoint());
  return async () => {
    await relaunched;
    closing = true;
    await current.close();
    log.end();
    rmSync(dir, { recursive: true, force: true });
    if (crashes > 0) console.error(`[e2e] the shared Chromium crashed ${crashes} time(s) during the run`);
  };
}
