/**
 * `parley-server check-turn` against a real coturn on loopback (the deploy
 * kit's configuration): a relay with the server's own credentials over UDP
 * and TCP, the refusal when the secrets differ, silence where no TURN
 * listens, and the exit codes scripts rely on.
 */
import { describe, expect, it } from 'vitest';
import getPort from 'get-port';
import { runCli } from './cli-helpers.js';
import { allocateWhenUp, missingTool, startCoturn } from './coturn.js';
import { tempDir } from './harness.js';
import { TurnClient } from './turn-client.js';
import { iceGrant } from '../src/ice-servers.js';

const SECRET = 'check-turn-secret-0123456789';

describe('parley-server check-turn', () => {
  it('exits 2 and says so when no TURN is configured', async () => {
    const r = await runCli(['check-turn'], { dataDir: tempDir() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain('No TURN server is configured');
  });

  it('names a TURN URL that nothing answers', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const url = `turn:127.0.0.1:${port}`;
    const r = await runCli(['check-turn'], { dataDir: tempDir(), env: { PARLEY_TURN_URLS: url, PARLEY_TURN_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`FAIL no answer from TURN at ${url}`);
  });

  it.skipIf(missingTool('turnserver', 'coturn', 'check-turn.test.ts'))(
    'gets a relay from coturn with the server’s credentials, and names the refusal when the secrets differ',
    async () => {
      const coturn = await startCoturn(SECRET);
      try {
        // Wait until coturn answers (it is starting).
        const probe = new TurnClient('127.0.0.1', coturn.port);
        const cred = iceGrant({ stunUrls: [], turnUrls: ['turn:x'], turnSecret: SECRET, turnTtlS: 600 }, 'probe').iceServers[0];
        await allocateWhenUp(probe, cred?.username ?? '', cred?.credential ?? '');
        probe.close();
        const urls = [`turn:127.0.0.1:${coturn.port}`, `turn:127.0.0.1:${coturn.port}?transport=tcp`];
        const good = await runCli(['check-turn'], { dataDir: tempDir(), env: { PARLEY_TURN_URLS: urls.join(','), PARLEY_TURN_SECRET: SECRET } });
        expect(good.code, `${good.stdout}${good.stderr}${coturn.output()}`).toBe(0);
        for (const url of urls) expect(good.stdout).toMatch(new RegExp(`ok +TURN at ${url.replace(/[?.]/g, '\\$&')} gave a relay candidate \\(127\\.0\\.0\\.1:\\d+\\)`));
        expect(good.stdout).toContain('TURN works: 2 of 2 URLs gave a relay.');

        const bad = await runCli(['check-turn'], { dataDir: tempDir(), env: { PARLEY_TURN_URLS: urls[0] as string, PARLEY_TURN_SECRET: 'not-the-secret-coturn-has' } });
        expect(bad.code, bad.stdout).toBe(1);
        expect(bad.stdout).toContain(`FAIL TURN at ${urls[0]} refused the credentials (401`);
        expect(bad.stdout).toContain('TURN does not work: 1 of 1 URLs gave no relay.');
      } finally {
        coturn.stop();
      }
    },
    30_000,
  );
});
