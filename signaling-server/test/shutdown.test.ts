/**
 * Shutdown ends in a bounded time even when clients can no longer be
 * reached: a connection that never answers the close is dropped after the
 * flush period instead of holding the process.
 */
import { describe, expect, it } from 'vitest';
import { BlackHole } from './black-hole.js';
import { connect, establishCall, register, startTestServer } from './harness.js';

describe('shutdown', () => {
  it('completes within seconds when the clients of an answered call have vanished', async () => {
    const server = await startTestServer();
    const hole = await BlackHole.start({ host: '127.0.0.1', port: server.port });
    try {
      const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
      const alice = await connect({ url: hole.url }, logins.alice, {}, []);
      const bob = await connect({ url: hole.url }, logins.bob, {}, []);
      await establishCall(alice, bob);
      hole.vanish();
      const started = Date.now();
      await server.close();
      // The flush period (1.5 s) and then some; the close handshake with a vanished peer would take 30 s.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      hole.close();
    }
  });
});
