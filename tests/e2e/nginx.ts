/**
 * A real nginx (Debian's package) as the load balancer in front of several
 * parley-server nodes, started by the test on loopback with a generated
 * configuration in a temp folder. Each listener prefers one node and fails
 * over to the others (`backup`), so a test can pin a user to a node and see
 * the user move when that node dies, as with sticky sessions in production.
 * It never outlives the test process that started it (owned-process.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import getPort from 'get-port';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { spawnOwned } from '../../signaling-server/test/owned-process.js';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';


/** nginx.conf with one listener per entry of `preferred`: each node first, the others as backups. */
export function nginxConfig(dir: string, nodes: number[], listeners: number[]): string {
  const upstreams = listeners.map((_, i) => {
    const servers = nodes.map((port, j) => `    server 127.0.0.1:${port}${j === i ? '' : ' backup'} max_fails=1 fail_timeout=5s;`);
    return `  upstream node${i} {\n${servers.join('\n')}\n  }`;
  });
  const servers = listeners.map(
    (port, i) => `  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://node${i};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      # With its port: the server compares a browser's Origin with it.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }`,
  );
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`).join('\n');
  return `${process.getuid?.() === 0 ? `user ${userInfo().username};\n` : ''}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
${upstreams.join('\n')}
${servers.join('\n')}
}
`;
}

export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** http://127.0.0.1:port of each listener. */
    readonly urls: string[],
  ) {}

  /** Starts nginx with one listener per node, listener i preferring node i. */
  static async start(nodePorts: number[]): Promise<Nginx> {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-nginx-'));
    const listeners: number[] = [];
    while (listeners.length < nodePorts.length) listeners.push(await getPort({ host: '127.0.0.1' }));
    for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, t));
    const conf = path.join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(dir, nodePorts, listeners));
    // SIGTERM when this process ends, however it ends: the master takes its worker down with it (owned-process.ts).
    const child = spawnOwned(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'], deathSignal: 'SIGTERM' });
    let output = '';
    child.stdout.on('data', (s: Buffer) => (output += s.toString()));
    child.stderr.on('data', (s: Buffer) => (output += s.toString()));
    const nginx = new Nginx(child, dir, listeners.map((p) => `http://127.0.0.1:${p}`));
    await new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run ${NGINX} (apt-get install nginx): ${err.message}`)));
      child.once('exit', (code) => reject(new Error(`nginx exited with code ${code}\n${output}\n${nginx.errorLog()}`)));
      const deadline = Date.now() + 10_000;
      const probe = async () => {
        try {
          await fetch(`${nginx.urls[0]}/api/info`);
          resolve();
        } catch {
          if (Date.now() > deadline) reject(new Error(`nginx did not listen within 10 s\n${output}`));
          else setTimeout(() => void probe(), 100);
        }
      };
      void probe();
    });
    return nginx;
  }

  errorLog(): string {
    try {
      return readFileSync(path.join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
