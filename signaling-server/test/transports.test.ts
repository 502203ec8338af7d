import { describe, expect, it } from 'vitest';
import { expectOk, openSocket, register, startTestServer } from './harness.js';

describe('transports', () => {
  it('serves HTTP long-polling and the upgrade to WebSocket next to the HTTP API', async () => {
    const server = await startTestServer();
    const alice = await register(server, 'alice');
    // Unauthenticated polling requests are answered by Socket.IO alone, never also by the HTTP app.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
      expect(res.status).toBe(200);
      await res.text();
    }
    for (const transports of [['polling'], ['polling', 'websocket']]) {
      const socket = openSocket(server.url, { token: alice.token }, { transports });
      await new Promise<void>((resolve, reject) => {
        socket.on('session:ready', () => resolve());
        socket.on('connect_error', reject);
      });
      expectOk(await socket.timeout(5000).emitWithAck('directory:list', {}));
      socket.disconnect();
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
