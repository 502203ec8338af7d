/**
 * Just enough of a TURN client (RFC 5766/8656 over UDP) to check a coturn
 * configuration the way a browser would use it: an Allocate with the
 * long-term credentials parley-server hands out, and CreatePermission for a
 * peer address (which denied-peer-ip must refuse with 403).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const MAGIC = 0x2112a442;
const ATTR = { username: 0x0006, integrity: 0x0008, error: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019, peer: 0x0012 } as const;
const METHOD = { allocate: 0x0003, permission: 0x0008 } as const;

interface Reply {
  /** 'success' or 'error', with the error code. */
  ok: boolean;
  code?: number;
  attrs: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  const pad = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([head, value, pad]);
}

function message(method: number, attrs: Buffer[], key?: Buffer): Buffer {
  const txn = randomBytes(12);
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0); // class "request" is 0
  header.writeUInt32BE(MAGIC, 4);
  txn.copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message with its length already counting the 24-byte attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR.integrity, mac)]);
}

function parse(buf: Buffer): Reply {
  const type = buf.readUInt16BE(0);
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= buf.length; ) {
    const t = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    attrs.set(t, buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  const isError = (type & 0x0110) === 0x0110;
  const err = attrs.get(ATTR.error);
  return { ok: !isError, ...(err && { code: err.readUInt8(2) * 100 + err.readUInt8(3) }), attrs };
}

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
        resolve(parse(buf));
      };
      this.socket.on('message', onMessage);
      this.socket.send(msg, this.port, this.host);
    });
  }

  /** Allocates a UDP relay with TURN REST credentials; resolves with the final reply. */
  async allocate(username: string, password: string): Promise<Reply> {
    const transport = attribute(ATTR.transport, Buffer.from([17, 0, 0, 0]));
    const challenge = await this.request(message(METHOD.allocate, [transport]));
    if (challenge.code !== 401) return challenge;
    const realm = challenge.attrs.get(ATTR.realm) as Buffer;
    const nonce = challenge.attrs.get(ATTR.nonce) as Buffer;
    this.key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    this.auth = [attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)];
    return this.request(message(METHOD.allocate, [transport, ...this.auth], this.key));
  }

  /** Asks to relay to `ip` (after a successful allocate). */
  permit(ip: string): Promise<Reply> {
    return this.request(message(METHOD.permission, [attribute(ATTR.peer, xorPeer(ip, 9)), ...this.auth], this.key));
  }

  close(): void {
    this.socket.close();
  }
}
