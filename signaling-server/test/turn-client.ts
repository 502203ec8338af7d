/**
 * Just enough of a TURN client (RFC 5766/8656 over UDP) to check a coturn
 * configuration the way a browser would use it: an Allocate with the
 * long-term credentials parley-server hands out, and CreatePermission for a
 * peer address (which denied-peer-ip must refuse with 403).
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { ATTR, MAGIC, METHOD, attribute, parseStun, stunRequest, type StunReply as Reply } from '../src/network/stun-message.js';

function xorPeer(ip: string, port: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1); // IPv4
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const addr = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  v.writeUInt32BE((addr ^ MAGIC) >>> 0, 4);
  return v;
}

export class TurnClient {
  private readonly socket: Socket = createSocket('udp4');
  private key: Buffer | undefined;
  private auth: Buffer[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private request(msg: Buffer, timeoutMs = 5000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', onMessage);
        reject(new Error(`no TURN answer from ${this.host}:${this.port}`));
      }, timeoutMs);
      const onMessage = (buf: Buffer) => {
        if (!buf.subarray(8, 20).equals(msg.subarray(8, 20))) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(parseStun(buf));
      };
      this.socket.on('message', onMessage);
      this.socket.send(msg, this.port, this.host);
    });
  }

  /** Allocates a UDP relay with TURN REST credentials; resolves with the final reply. */
  async allocate(username: string, password: string): Promise<Reply> {
    const transport = attribute(ATTR.transport, Buffer.from([17, 0, 0, 0]));
    const challenge = await this.request(stunRequest(METHOD.allocate, [transport]));
    if (challenge.code !== 401) return challenge;
    const realm = challenge.attrs.get(ATTR.realm) as Buffer;
    const nonce = challenge.attrs.get(ATTR.nonce) as Buffer;
    this.key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    this.auth = [attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)];
    return this.request(stunRequest(METHOD.allocate, [transport, ...this.auth], this.key));
  }

  /** Asks to relay to `ip` (after a successful allocate). */
  permit(ip: string): Promise<Reply> {
    return this.request(stunRequest(METHOD.permission, [attribute(ATTR.peer, xorPeer(ip, 9)), ...this.auth], this.key));
  }

  close(): void {
    this.socket.close();
  }
}
