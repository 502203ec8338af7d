import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connect, register, startTestServer } from './harness.js';

/** HMAC-SHA1 by OpenSSL's command line: independent of the server's code path. */
function opensslHmacBase64(secret: string, message: string): string {
  const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message });
  return digest.toString('base64');
}

describe('ICE servers in session:ready', () => {
  it('hands out STUN URLs and time-limited TURN REST credentials', async () => {
    const server = await startTestServer({
      stunUrls: ['stun:stun.example.com:3478'],
      turnUrls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      turnSecret: 'a-long-shared-coturn-secret',
      turnTtlS: 3600,
    });
    const before = Math.floor(Date.now() / 1000);
    const device = await connect(server, await register(server, 'alice'));
    const after = Math.floor(Date.now() / 1000);
    const [stun, turn] = device.ready.iceServers;
    expect(stun).toEqual({ urls: ['stun:stun.example.com:3478'] });
    expect(turn?.urls).toEqual(['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349']);
    const [expiry, opaqueId] = (turn?.username ?? '').split(':');
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(expiry)).toBeLessThanOrEqual(after + 3600);
    // Opaque: TURN logs do not learn the username.
    expect(opaqueId).toMatch(/^[0-9a-f-]{36}$/);
    expect(opaqueId).not.toContain('alice');
    expect(turn?.credential).toBe(opensslHmacBase64('a-long-shared-coturn-secret', turn?.username ?? ''));
  });

  it('hands out no TURN without a secret, and nothing when nothing is configured', async () => {
    const server = await startTestServer();
    const device = await connect(server, await register(server, 'alice'));
    expect(device.ready.iceServers).toEqual([]);
  });
});
