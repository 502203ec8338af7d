/**
 * A TCP proxy whose far side can vanish: after `vanish()` nothing passes in
 * either direction and nothing is closed, as when a client's address is gone
 * (its laptop slept, its network dropped): the server's writes are never
 * answered and no FIN or RST ever comes. After `cut()` every connection is
 * reset and new ones are refused, as when a firewall rejects the path, until
 * `restore()`.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export class BlackHole {
  private vanished = false;
  private refused = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: ReturnType<typeof createServer>) {}

  static async start(target: { host: string; port: number }): Promise<BlackHole> {
    const server = createServer();
    const hole = new BlackHole(server);
    server.on('connection', (client) => {
      if (hole.refused) {
        client.on('error', () => undefined).resetAndDestroy();
        return;
      }
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        hole.sockets.add(s);
        s.on('error', () => undefined);
      }
      // Data is dropped once vanished: read (so no buffer fills) and never forwarded.
      client.on('data', (d) => hole.vanished || upstream.write(d));
      upstream.on('data', (d) => hole.vanished || client.write(d));
      client.on('close', () => hole.vanished || upstream.destroy());
      upstream.on('close', () => hole.vanished || client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hole;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  vanish(): void {
    this.vanished = true;
  }

  cut(): void {
    this.refused = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refused = false;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}
