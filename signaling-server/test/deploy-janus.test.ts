/**
 * Janus in the deployment kit: the systemd unit beside parley-server's, and
 * the compose service, whose start script is run here for real (the image
 * itself is not built: no Docker on our CI machines). Janus is the Debian
 * package the SFU tests use; checks that need it skip, saying so, without it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../src/logger.js';
import { JanusGateway } from '../src/sfu/janus-gateway.js';
import { DEPLOY, missingTool as missing, tool } from './coturn.js';
import { spawnOwned } from './owned-process.js';

const missingTool = (name: string, pkg: string) => missing(name, pkg, 'deploy-janus.test.ts');
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');
/** A jcfg setting's value: `name = "value"` or `name = value`. */
const setting = (jcfg: string, name: string) => new RegExp(`^\\s*${name} = "?([^"\\n]*)"?$`, 'm').exec(jcfg)?.[1];

describe('deploy/systemd/janus.service', () => {
  const unit = read('systemd/janus.service');

  it('runs Janus on the kit configuration, hardened like parley-server.service, with room for many sockets', () => {
    const lines = unit.split('\n');
    expect(lines).toContain('ExecStart=/usr/bin/janus -F /etc/janus');
    for (const line of ['DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'LimitNOFILE=65536']) {
      expect(lines).toContain(line);
    }
  });

  it.skipIf(missingTool('systemd-analyze', 'systemd') || missingTool('janus', 'janus'))('passes systemd-analyze verify', () => {
    const res = spawnSync(tool('systemd-analyze') as string, ['verify', path.join(DEPLOY, 'systemd/janus.service')], { encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`).toBe('');
    expect(res.status).toBe(0);
  });
});

describe('Janus in deploy/docker-compose.yml (not run here: no Docker on our CI machines)', () => {
  interface Service {
    build?: { dockerfile: string };
    environment?: Record<string, string>;
    network_mode?: string;
  }
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, Service>;
    networks: { parley: { ipam: { config: { subnet: string; gateway: string }[] } } };
  };
  const janus = compose.services.janus;
  const nodes = Object.entries(compose.services).filter(([, s]) => s.build?.dockerfile === 'deploy/Dockerfile');
  const websockets = read('janus/compose/janus.transport.websockets.jcfg');

  it('builds Janus from deploy/Dockerfile.janus on the host network (its UDP media range), run as nobody', () => {
    expect(janus?.build?.dockerfile).toBe('deploy/Dockerfile.janus');
    expect(janus?.network_mode).toBe('host');
    const dockerfile = read('Dockerfile.janus');
    expect(dockerfile).toMatch(/^FROM debian:bookworm-slim$/m);
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends janus/);
    expect(dockerfile).toMatch(/^COPY deploy\/janus\/compose\/janus.transport.websockets.jcfg \/etc\/janus\/$/m);
    expect(dockerfile).toMatch(/^USER nobody$/m);
  });

  it("gives every node Janus's API on the network's gateway, where the compose websockets config listens, and the same admin key", () => {
    const network = compose.networks.parley.ipam.config[0];
    expect(setting(websockets, 'ws_ip')).toBe(network?.gateway);
    expect(network?.subnet.startsWith(setting(websockets, 'ws_acl') ?? '?')).toBe(true);
    expect(setting(websockets, 'admin_ws')).toBe('false');
    for (const [name, node] of nodes) {
      const url = new URL(node.environment?.PARLEY_JANUS_URL ?? '');
      expect([url.protocol, url.hostname, url.port], name).toEqual(['ws:', network?.gateway, setting(websockets, 'ws_port')]);
      expect(node.environment?.PARLEY_JANUS_ADMIN_KEY, name).toMatch(/^\$\{PARLEY_JANUS_ADMIN_KEY[:}]/);
    }
    expect(janus?.environment?.PARLEY_JANUS_ADMIN_KEY).toBe('${PARLEY_JANUS_ADMIN_KEY}');
  });

  it.skipIf(missingTool('janus', 'janus'))(
    "start-janus writes the nodes' admin key into Janus's config: rooms are made with it, and refused with another",
    async () => {
      // The image's /etc/janus, moved to loopback and free ports (the gateway address does not exist here).
      const image = mkdtempSync(path.join(tmpdir(), 'parley-janus-image-'));
      const port = await getPort({ host: '127.0.0.1' });
      for (const file of readdirSync(path.join(DEPLOY, 'janus')).filter((f) => f.endsWith('.jcfg'))) copyFileSync(path.join(DEPLOY, 'janus', file), path.join(image, file));
      writeFileSync(
        path.join(image, 'janus.transport.websockets.jcfg'),
        websockets.replace(/ws_ip = "[^"]*"/, 'ws_ip = "127.0.0.1"').replace(/ws_acl = "[^"]*"/, 'ws_acl = "127."').replace(/ws_port = \d+/, `ws_port = ${port}`),
      );
      const adminKey = `compose-key-${Date.now()}`;
      // The script execs Janus, which keeps the death signal: Janus dies with this process (owned-process.ts).
      const child = spawnOwned('sh', [path.join(DEPLOY, 'janus/compose/start-janus.sh')], {
        env: { ...process.env, JANUS_CONFIG_DIR: image, PARLEY_JANUS_ADMIN_KEY: adminKey, TMPDIR: image },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
      const log = createLogger('silent');
      const url = `ws://127.0.0.1:${port}`;
      try {
        await expect.poll(() => output, { timeout: 10_000 }).toContain(`Websockets server started (port ${port})`);
        const right = new JanusGateway(url, adminKey, log);
        const wrong = new JanusGateway(url, 'not-the-key', log);
        try {
          await right.ensureRoom(right.room('deploy-kit-call'));
          expect(await right.occupied(right.room('deploy-kit-call'))).toBe(false);
          await expect(wrong.ensureRoom(wrong.room('another-call'))).rejects.toThrow();
        } finally {
          await right.close();
          await wrong.close();
        }
      } finally {
        // The script execs Janus: this stops Janus itself.
        child.kill('SIGTERM');
        await exited;
        rmSync(image, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it.skipIf(missingTool('janus', 'janus'))('start-janus refuses a key that would change the config it is written into', () => {
    const res = spawnSync('sh', [path.join(DEPLOY, 'janus/compose/start-janus.sh')], {
      env: { ...process.env, JANUS_CONFIG_DIR: path.join(DEPLOY, 'janus'), PARLEY_JANUS_ADMIN_KEY: 'abc"; admin_key = "x' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PARLEY_JANUS_ADMIN_KEY must not contain');
  });
});
