/**
 * Files between fake peers, for the renderer's unit tests of the file
 * protocol (file-link.test.ts, file-consent.test.ts): a listener that records
 * what a side's FileLink tells it, two chat channels joined end to end, and
 * one side alone with the test speaking for its peer.
 */
import { ChatChannel } from '../call/chat/chat.js';
import type { FileLinkListener, IncomingFile, OutgoingFile, TransferState, TransferUpdate } from '../call/chat/file-states.js';
import { MB, sha256Hex } from '../call/chat/file-wire.js';
import { fakePeerConnection, join, type FakeDataChannel } from './fake-data-channel.js';

/** What one side's FileLink told its listener. `auto`: taken without asking up to this many bytes (by default everything under `max`). */
export class Recorder implements FileLinkListener {
  offers: [IncomingFile, TransferUpdate][] = [];
  events: ['out' | 'in', string, TransferUpdate][] = [];
  /** Files the call's cap still takes. */
  room = Infinity;
  constructor(
    public max = 100 * MB,
    public auto = max,
  ) {}
  limit(): number {
    return this.max;
  }
  autoAccept(): number {
    return this.auto;
  }
  fits(): boolean {
    return this.room > 0;
  }
  admit(): boolean {
    if (this.room <= 0) return false;
    this.room--;
    return true;
  }
  offered(file: IncomingFile, update: TransferUpdate): void {
    this.offers.push([file, update]);
  }
  changed(direction: 'out' | 'in', id: string, update: TransferUpdate): void {
    this.events.push([direction, id, update]);
  }
  states(direction: 'out' | 'in', id = 'f1'): TransferState[] {
    return this.events.flatMap(([d, i, u]) => (d === direction && i === id && u.state ? [u.state] : []));
  }
  last(direction: 'out' | 'in', id = 'f1'): TransferState | undefined {
    return this.states(direction, id).at(-1);
  }
  bytes(direction: 'out' | 'in', id = 'f1'): number[] {
    return this.events.flatMap(([d, i, u]) => (d === direction && i === id && u.bytes !== undefined ? [u.bytes] : []));
  }
  blob(id = 'f1'): Blob | undefined {
    return this.events.find(([d, i, u]) => d === 'in' && i === id && u.blob)?.[2].blob;
  }
}

/** Two peers' chat channels, joined end to end, each with a recording listener on its files. */
export function pair(options: { join?: boolean; bobAuto?: number } = {}) {
  const a = fakePeerConnection();
  const b = fakePeerConnection();
  const alice = new ChatChannel(a.pc);
  const bob = new ChatChannel(b.pc);
  const aliceHears = new Recorder();
  const bobHears = new Recorder(100 * MB, options.bobAuto);
  alice.files.listen(aliceHears);
  bob.files.listen(bobHears);
  if (options.join !== false) join(a.channels, b.channels);
  return { alice, bob, aliceHears, bobHears, a: a.channels, b: b.channels };
}

/** One side alone on open channels, with the test speaking for its peer: what the peer says, its frames, and what this side said. */
export function alone(hears = new Recorder(1000)) {
  const { pc, channels } = fakePeerConnection();
  const me = new ChatChannel(pc);
  me.files.listen(hears);
  for (const dc of channels.values()) dc.open();
  const channel = (label: string): FakeDataChannel => {
    const dc = channels.get(label);
    if (!dc) throw new Error(`no ${label} channel`);
    return dc;
  };
  const peerSays = (m: object) => channel('chat').deliver(JSON.stringify({ v: 2, ...m }));
  const peerFrames = (data: ArrayBuffer) => channel('files').deliver(data);
  return { me, hears, channels, peerSays, peerFrames, said: () => control(channel('chat')) };
}

/** Random bytes (crypto.getRandomValues takes 64 KiB at a time). */
export function bytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(out.subarray(at, at + 65_536));
  return out;
}

export async function outgoing(data: Uint8Array, id = 'f1', name = 'data.bin'): Promise<OutgoingFile> {
  const blob = new Blob([data as BlobPart]);
  return { id, name, size: data.byteLength, sha256: await sha256Hex(await blob.arrayBuffer()), sentAt: 1, data: blob };
}

/** An offer of `data` as a peer would say it (without `v`: `alone`'s peerSays adds it). */
export async function offerOf(data: Uint8Array, id = 'f1', n = 1, extra: object = {}) {
  return { type: 'file-offer', id, n, name: 'x.bin', size: data.byteLength, sha256: await sha256Hex(data.slice().buffer), sentAt: 1, ...extra };
}

export async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const sameBytes = async (blob: Blob | undefined, data: Uint8Array) => blob !== undefined && Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(data));
/** The messages about files a side sent on its chat channel. */
export const control = (dc: FakeDataChannel) => dc.sent.map((d) => JSON.parse(d) as { type: string; reason?: string; max?: number; waits?: boolean });
