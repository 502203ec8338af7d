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
import { isIP } from 'node:net';
import getPort from 'get-port';
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../src/logger.js';
import { JanusGateway } from '../src/sfu/janus-gateway.js';
import { DEPLOY, missingTool as missing, tool } from './coturn.js';
import { startJanus } from './janus.js';
import { spawnOwned } from './owned-process.js';
import { gathered, peerConfig } from './sfu-peer.js';

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

  it("refuses to start Janus while api_secret or admin_key is still the kit's placeholder (ExecStartPre), and starts it once both are set", () => {
    const pre = /^ExecStartPre=\/bin\/sh -c '(.*)'$/m.exec(unit)?.[1];
    // Run as systemd would: it unescapes backslashes and expands % and $, none of which the command may hold.
    expect(pre).toMatch(/^[^\\%$]+$/);
    const etc = mkdtempSync(path.join(tmpdir(), 'parley-janus-etc-'));
    const check = (jcfg: string, videoroom: string) => {
      writeFileSync(path.join(etc, 'janus.jcfg'), jcfg);
      writeFileSync(path.join(etc, 'janus.plugin.videoroom.jcfg'), videoroom);
      return spawnSync('sh', ['-c', (pre ?? 'exit 9').replaceAll('/etc/janus', etc)], { encoding: 'utf8' });
    };
    try {
      const [jcfg, videoroom] = [read('janus/janus.jcfg'), read('janus/janus.plugin.videoroom.jcfg')];
      const setApi = jcfg.replace(/api_secret = "[^"]*"/, 'api_secret = "0123456789abcdef0123"');
      const setAdmin = videoroom.replace(/admin_key = "[^"]*"/, 'admin_key = "fedcba9876543210fedc"');
      for (const [what, res] of [['both placeholders', check(jcfg, videoroom)], ['api_secret', check(jcfg, setAdmin)], ['admin_key', check(setApi, videoroom)]] as const) {
        expect(res.status, what).toBe(1);
        expect(res.stderr, what).toContain('set api_secret in');
      }
      expect(check(setApi, setAdmin).status).toBe(0);
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });

  it.skipIf(missingTool('systemd-analyze', 'systemd') || missingTool('janus', 'janus'))('passes systemd-analyze verify', () => {
    const res = spawnSync(tool('systemd-analyze') as string, ['verify', path.join(DEPLOY, 'systemd/janus.service')], { encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`).toBe('');
    expect(res.status).toBe(0);
  });
});

describe('what deploy/janus/janus.jcfg lets Janus tell participants', () => {
  const jcfg = read('janus/janus.jcfg');

  /** The addresses of the candidates in Janus's answer to a publisher's offer, from a Janus on the kit config with `ice` flags. */
  async function offered(ice: string[]): Promise<string[]> {
    const janus = await startJanus(undefined, undefined, { ice });
    const gateway = new JanusGateway(janus.url, janus.adminKey, createLogger('silent'));
    const pc = new RTCPeerConnection(peerConfig());
    try {
      pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const room = gateway.room('what-janus-offers');
      await gateway.ensureRoom(room);
      const handle = await gateway.attach();
      const { jsep } = await handle.joinConfigurePublisher({ room: room.id, pin: room.pin, display: 'probe', jsep: { type: 'offer', sdp: await gathered(pc) } });
      return [...(jsep?.sdp ?? '').matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ/gm)].map((m) => m[1] ?? '');
    } finally {
      await pc.close();
      await gateway.close();
      await janus.stop();
    }
  }

  it('offers no IPv6 (so no unique-local or link-local address) and never a virtual, container or VPN interface', () => {
    expect(setting(jcfg, 'ipv6')).toBe('false');
    expect(setting(jcfg, 'keep_private_host')).toBe('false');
    const ignored = (setting(jcfg, 'ice_ignore_list') ?? '').split(',');
    for (const name of ['docker', 'br-', 'veth', 'virbr', 'vmnet', 'tun', 'tap', 'wg', 'tailscale', 'zt']) expect(ignored).toContain(name);
  });

  it.skipIf(missingTool('janus', 'janus'))('as shipped, Janus offers IPv4 addresses only, never loopback; with nat_1_1_mapping, only the public address', { timeout: 30_000 }, async () => {
    const asShipped = await offered([]);
    expect(asShipped.length).toBeGreaterThan(0);
    for (const address of asShipped) {
      expect(isIP(address), address).toBe(4);
      expect(address.startsWith('127.'), address).toBe(false);
    }
    // Behind a 1:1 NAT (--nat-1-1 is nat_1_1_mapping): the host's own addresses are replaced, not offered beside it.
    expect(new Set(await offered(['--nat-1-1=203.0.113.10']))).toEqual(new Set(['203.0.113.10']));
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

  it("gives every node Janus's API on the network's gateway, where the compose websockets config listens, and the same admin key and api_secret", () => {
    const network = compose.networks.parley.ipam.config[0];
    expect(setting(websockets, 'ws_ip')).toBe(network?.gateway);
    expect(network?.subnet.startsWith(setting(websockets, 'ws_acl') ?? '?')).toBe(true);
    expect(setting(websockets, 'admin_ws')).toBe('false');
    for (const [name, node] of nodes) {
      const url = new URL(node.environment?.PARLEY_JANUS_URL ?? '');
      expect([url.protocol, url.hostname, url.port], name).toEqual(['ws:', network?.gateway, setting(websockets, 'ws_port')]);
      expect(node.environment?.PARLEY_JANUS_ADMIN_KEY, name).toMatch(/^\$\{PARLEY_JANUS_ADMIN_KEY[:}]/);
      expect(node.environment?.PARLEY_JANUS_API_SECRET, name).toMatch(/^\$\{PARLEY_JANUS_API_SECRET[:}]/);
    }
    expect(janus?.environment?.PARLEY_JANUS_ADMIN_KEY).toBe('${PARLEY_JANUS_ADMIN_KEY}');
    expect(janus?.environment?.PARLEY_JANUS_API_SECRET).toBe('${PARLEY_JANUS_API_SECRET}');
  });

  it.skipIf(missingTool('janus', 'janus'))(
    "start-janus writes the nodes' admin key and api_secret into Janus's config: rooms are made with them, and refused with another key or without the secret",
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
      const apiSecret = `compose-api-secret-${Date.now()}`;
      // The script execs Janus, which keeps the death signal: Janus dies with this process (owned-process.ts).
      const child = spawnOwned('sh', [path.join(DEPLOY, 'janus/compose/start-janus.sh')], {
        env: { ...process.env, JANUS_CONFIG_DIR: image, PARLEY_JANUS_ADMIN_KEY: adminKey, PARLEY_JANUS_API_SECRET: apiSecret, TMPDIR: image },
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
        const right = new JanusGateway(url, adminKey, log, apiSecret);
        const wrong = new JanusGateway(url, 'not-the-key', log, apiSecret);
        const noSecret = new JanusGateway(url, adminKey, log);
        try {
          const room = right.room('deploy-kit-call');
          await right.ensureRoom(room);
          expect(await right.occupied(room)).toBe(false);
          // A room takes nobody without its pin (derived from the key, never sent to clients): reaching Janus is not enough.
          const handle = await right.attach();
          await expect(handle.joinPublisher({ room: room.id, display: 'intruder' })).rejects.toThrow(/pin|unauthorized/i);
          await handle.joinPublisher({ room: room.id, pin: room.pin, display: 'parley' });
          await handle.detach();
          await expect(wrong.ensureRoom(wrong.room('another-call'))).rejects.toThrow();
          // Reaching Janus's API without its api_secret gets nothing, not even a session.
          await expect(noSecret.ensureRoom(noSecret.room('another-call'))).rejects.toThrow(/unauthorized/i);
        } finally {
          await right.close();
          await wrong.close();
          await noSecret.close();
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

  it.skipIf(missingTool('janus', 'janus'))('start-janus refuses a key or secret that would change the config it is written into, and stops when either is missing', () => {
    const run = (env: Record<string, string>) =>
      spawnSync('sh', [path.join(DEPLOY, 'janus/compose/start-janus.sh')], { env: { ...process.env, JANUS_CONFIG_DIR: path.join(DEPLOY, 'janus'), ...env }, encoding: 'utf8' });
    const good = { PARLEY_JANUS_ADMIN_KEY: 'a-good-admin-key-0123', PARLEY_JANUS_API_SECRET: 'a-good-api-secret-0123' };
    for (const name of ['PARLEY_JANUS_ADMIN_KEY', 'PARLEY_JANUS_API_SECRET'] as const) {
      const bad = run({ ...good, [name]: 'abc"; admin_key = "x' });
      expect(bad.status, name).toBe(2);
      expect(bad.stderr, name).toContain(`${name} must not contain`);
      const missingOne = run(Object.fromEntries(Object.entries(good).filter(([k]) => k !== name)));
      expect(missingOne.status, name).not.toBe(0);
      expect(missingOne.stderr, name).toContain(`set ${name}`);
    }
  });
});
