/**
 * The SFU's settings: Janus's URLs, its VideoRoom admin key and its
 * api_secret, each placeholder of deploy/janus refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOnCommandLine, extractSettingFlags } from '../src/config.js';
import { CHILD_SERVER_TEST, exitWithin, startChildServer } from './cli-helpers.js';
import { configError, expectRefused } from './config-helpers.js';
import { tempDir } from './harness.js';

/** The placeholder deploy/janus ships for `name` in `file`. */
function placeholder(file: string, name: string): string {
  const value = new RegExp(`${name} = "([^"]+)"`).exec(readFileSync(new URL(`../../deploy/janus/${file}`, import.meta.url), 'utf8'))?.[1] ?? '';
  expect(value).toMatch(/^CHANGE-ME/);
  return value;
}

describe('the SFU settings', () => {
  it('moves calls to the SFU from 7 people unless PARLEY_SFU_FROM says otherwise', () => {
    expect(loadConfig({}).sfuFrom).toBe(7);
    expect(loadConfig({ PARLEY_SFU_FROM: '2' }).sfuFrom).toBe(2);
    expect(loadConfig({}, { sfuFrom: '12' }).sfuFrom).toBe(12);
  });

  it('takes Janus as ws:// or wss:// URLs (one per instance) together with its admin key (from a file too), and neither alone', () => {
    const adminKey = 'a-janus-admin-key-of-some-length';
    expect(loadConfig({ PARLEY_JANUS_URL: 'ws://127.0.0.1:8188', PARLEY_JANUS_ADMIN_KEY: adminKey }).sfu).toEqual({ janusUrls: ['ws://127.0.0.1:8188'], adminKey });
    // Several instances, comma-separated; each must be a ws:// or wss:// URL.
    expect(loadConfig({ PARLEY_JANUS_URL: 'ws://10.0.0.5:8188, wss://janus-2.internal', PARLEY_JANUS_ADMIN_KEY: adminKey }).sfu?.janusUrls).toEqual(['ws://10.0.0.5:8188', 'wss://janus-2.internal']);
    expectRefused(() => loadConfig({ PARLEY_JANUS_URL: 'ws://10.0.0.5:8188,10.0.0.6:8188', PARLEY_JANUS_ADMIN_KEY: adminKey }), 'PARLEY_JANUS_URL', '--janus-url');
    const file = path.join(tempDir(), 'janus-key');
    writeFileSync(file, `${adminKey}\n`);
    expect(loadConfig({ PARLEY_JANUS_URL: 'wss://janus.internal', PARLEY_JANUS_ADMIN_KEY_FILE: file }).sfu?.adminKey).toBe(adminKey);
    expect(configError(() => loadConfig({ PARLEY_JANUS_URL: 'ws://127.0.0.1:8188' })).message).toContain('PARLEY_JANUS_ADMIN_KEY');
    expect(configError(() => loadConfig({ PARLEY_JANUS_ADMIN_KEY: adminKey })).message).toContain('PARLEY_JANUS_URL');
    expectRefused(() => loadConfig({ PARLEY_JANUS_URL: 'http://127.0.0.1:8088/janus', PARLEY_JANUS_ADMIN_KEY: adminKey }), 'PARLEY_JANUS_URL', '--janus-url');
    // The placeholder of deploy/janus/janus.plugin.videoroom.jcfg would work if left on both sides: refused.
    const admin = placeholder('janus.plugin.videoroom.jcfg', 'admin_key');
    expect(configError(() => loadConfig({ PARLEY_JANUS_URL: 'ws://127.0.0.1:8188', PARLEY_JANUS_ADMIN_KEY: admin })).message).toContain('placeholder');
    const err = expectRefused(() => loadConfig({ PARLEY_JANUS_URL: 'ws://127.0.0.1:8188', PARLEY_JANUS_ADMIN_KEY: 'sh0rt-key' }), 'PARLEY_JANUS_ADMIN_KEY', '--janus-admin-key');
    expect(err.message).not.toContain('sh0rt-key');
  });

  it("takes Janus's api_secret (from a file too), refuses the kit's placeholder, a short one and one without Janus, and never echoes it", () => {
    const base = { PARLEY_JANUS_URL: 'ws://127.0.0.1:8188', PARLEY_JANUS_ADMIN_KEY: 'a-janus-admin-key-of-some-length' };
    const apiSecret = 'a-janus-api-secret-of-some-length';
    expect(loadConfig({ ...base, PARLEY_JANUS_API_SECRET: apiSecret }).sfu?.apiSecret).toBe(apiSecret);
    // Unset, Janus is asked without one (a Janus configured without api_secret); the server warns at start.
    expect(loadConfig(base).sfu?.apiSecret).toBeUndefined();
    const file = path.join(tempDir(), 'janus-api-secret');
    writeFileSync(file, `${apiSecret}\n`);
    expect(loadConfig({ ...base, PARLEY_JANUS_API_SECRET_FILE: file }).sfu?.apiSecret).toBe(apiSecret);
    // The placeholder of deploy/janus/janus.jcfg would work if left on both sides: refused.
    const err = expectRefused(() => loadConfig({ ...base, PARLEY_JANUS_API_SECRET: placeholder('janus.jcfg', 'api_secret') }), 'PARLEY_JANUS_API_SECRET', '--janus-api-secret');
    expect(err.message).toContain('placeholder');
    expect(expectRefused(() => loadConfig({ ...base, PARLEY_JANUS_API_SECRET: 'sh0rt-secret' }), 'PARLEY_JANUS_API_SECRET', '--janus-api-secret').message).not.toContain('sh0rt-secret');
    expect(configError(() => loadConfig({ PARLEY_JANUS_API_SECRET: apiSecret })).message).toContain('PARLEY_JANUS_URL');
    expect(secretsOnCommandLine(extractSettingFlags(['--janus-api-secret', apiSecret]).flags)).toEqual(['--janus-api-secret (use PARLEY_JANUS_API_SECRET or PARLEY_JANUS_API_SECRET_FILE)']);
  });

  it('the bundled parley-server starts with Janus configured: its SFU chunk loads janode (an ES module it requires)', CHILD_SERVER_TEST, async () => {
    // Nothing listens on port 1: the server starts all the same and reaches Janus when a meeting needs it.
    const server = await startChildServer({ dataDir: tempDir(), env: { PARLEY_JANUS_URL: 'ws://127.0.0.1:1', PARLEY_JANUS_ADMIN_KEY: 'a-janus-admin-key-of-some-length', PARLEY_JANUS_API_SECRET: 'a-janus-api-secret-of-some-length' } });
    server.child.kill('SIGTERM');
    expect((await exitWithin(server, 10_000)).code).toBe(0);
  });
});
