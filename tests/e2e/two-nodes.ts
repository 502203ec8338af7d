/**
 * Two parley-server nodes sharing a real Redis and one data dir, behind a
 * real nginx whose listener `i` prefers node `i` and fails over to the other,
 * and one Chromium: the browser suites' cluster. `nodeOf` reads the nodes'
 * own logs to say where a user's device connected last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startChildServer, type ChildServer } from '../../signaling-server/test/cli-helpers.js';
import { RedisServer } from '../../signaling-server/test/redis-server.js';
import { launchChromium, registerUser, WEB_ROOT, writeToneWav } from './harness.js';
import { Nginx } from './nginx.js';

export interface TwoNodes {
  /** The Redis both nodes share (a test may stop and restart it). */
  redis: RedisServer;
  nodes: ChildServer[];
  nginx: Nginx;
  browser: Browser;
  /** The node (0 or 1) a user's device connected to last, -1 if none. */
  nodeOf: (username: string) => number;
  close(): Promise<void>;
}

export async function startTwoNodes(users: string[]): Promise<TwoNodes> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-nodes-'));
  const redis = await RedisServer.start();
  const env = {
    PARLEY_REDIS_URL: redis.url(0),
    PARLEY_WEB_ROOT: WEB_ROOT,
    PARLEY_MESSAGE_RATE: '1000',
    PARLEY_MESSAGE_BURST: '1000',
    PARLEY_TRUST_PROXY: 'loopback',
    // nodeOf reads the `device connected` lines, logged at debug.
    PARLEY_LOG_LEVEL: 'debug',
  };
  const nodes: ChildServer[] = [];
  let nginx: Nginx | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await nginx?.close();
    for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One after the other: the first creates the database and the token secret, the second opens them.
    for (let i = 0; i < 2; i++) nodes.push(await startChildServer({ dataDir: path.join(dir, 'data'), env }));
    nginx = await Nginx.start(nodes.map((n) => Number(new URL(n.url).port)));
    const wav = path.join(dir, 'tone.wav');
    writeToneWav(wav);
    browser = await launchChromium(wav);
    for (const name of users) await registerUser({ url: nginx.urls[0]! }, name);
  } catch (err) {
    await close();
    throw err;
  }
  const nodeOf = (username: string) => {
    let found = -1;
    let at = 0;
    nodes.forEach((node, i) => {
      for (const line of node.logs()) {
        if (line.msg === 'device connected' && line.username === username && (line.time as number) >= at) {
          found = i;
          at = line.time as number;
        }
      }
    });
    return found;
  };
  return { redis, nodes, nginx, browser, nodeOf, close };
}
