/**
 * Just enough of a TURN client (RFC 5766/8656 over UDP) to check a coturn
 * configuration the way a browser would use it: an Allocate with the
 * long-term credentials parley-server hands out (an IPv4 relay, or an IPv6
 * one: RFC 6156), and CreatePermission for a peer address (which
 * denied-peer-ip must refuse with 403).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import ipaddr from 'ipaddr.js';
import { ATTR, MAGIC, METHOD, attribute, parseStun, stunRequest, type StunReply as Reply } from '../src/network/stun-message.js';

/** REQUESTED-ADDRESS-FAMILY (RFC 6156): which family of relay an Allocate asks for. */
const REQUESTED_FAMILY = 0x0017;
/** LIFETIME (RFC 8656): the seconds an allocation is asked for, or granted. */
const LIFETIME = 0x000d;
const REFRESH = 0x0004;

/** The LIFETIME a reply grants, in seconds. */
export function lifetimeOf(reply: Reply): number | undefined {
  return reply.attrs.get(LIFETIME)?.readUInt32BE(0);
}

/** XOR-PEER-ADDRESS: the address XORed with the magic cookie, and for IPv6 with the transaction id after it. */
function xorPeer(ip: string, port: number, id: Buffer): Buffer {
  // Written as the URL parser writes it: ipaddr.js reads "::a.b.c.d" as IPv4-mapped (::ffff:a.b.c.d), which it is not.
  const addr = Buffer.from(ipaddr.parse(ip.includes(':') ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip).toByteArray());
  const mask = Buffer.alloc(4);
  mask.writeUInt32BE(MAGIC);
  const key = Buffer.concat([mask, id]);
  const v = Buffer.alloc(4 + addr.length);
  v.writeUInt8(addr.length === 4 ? 0x01 : 0x02, 1);
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  addr.forEach((byte, i) => v.writeUInt8(byte ^ (key[i] ?? 0), 4 + i));
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

  /** Allocates a UDP relay (IPv4, or `family` 6) with TURN REST credentials; resolves with the final reply. */
  async allocate(username: string, password: string, family: 4 | 6 = 4): Promise<Reply> {
    const transport = Buffer.concat([attribute(ATTR.transport, Buffer.from([17, 0, 0, 0])), ...(family === 6 ? [attribute(REQUESTED_FAMILY, Buffer.from([0x02, 0, 0, 0]))] : [])]);
    const challenge = await this.request(stunRequest(METHOD.allocate, [transport]));
    if (challenge.code !== 401) return challenge;
    const realm = challenge.attrs.get(ATTR.realm) as Buffer;
    const nonce = challenge.attrs.get(ATTR.nonce) as Buffer;
    this.key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    this.auth = [attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)];
    return this.request(stunRequest(METHOD.allocate, [transport, ...this.auth], this.key));
  }

  /** Refreshes the allocation for `seconds` (0 deletes it), with the credentials it was made with; a stale nonce is replaced and the refresh sent again, as a browser does. */
  async refresh(seconds: number): Promise<Reply> {
    const lifetime = Buffer.alloc(4);
    lifetime.writeUInt32BE(seconds);
    const send = () => this.request(stunRequest(REFRESH, [attribute(LIFETIME, lifetime), ...this.auth], this.key));
    const reply = await send();
    const nonce = reply.attrs.get(ATTR.nonce);
    if (reply.code !== 438 || !nonce) return reply;
    this.auth = this.auth.map((a) => (a.readUInt16BE(0) === ATTR.nonce ? attribute(ATTR.nonce, nonce) : a));
    return send();
  }

  /** Asks to relay to `ip` (after a successful allocate of its family). */
  permit(ip: string): Promise<Reply> {
    const id = randomBytes(12);
    return this.request(stunRequest(METHOD.permission, [attribute(ATTR.peer, xorPeer(ip, 9, id)), ...this.auth], this.key, id));
  }

  close(): void {
    this.socket.close();
  }
}
