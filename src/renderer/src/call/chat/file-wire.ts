/**
 * Files in the call's chat, on the wire. The conversation about a file (offer,
 * the receiver asking its person, accept or refuse, cancel, the receiver's
 * check) is JSON on the chat channel,
 * version 2 like the text (chat.ts), with types an older Parley ignores. The
 * bytes go on a second negotiated data channel, `files` (SCTP stream 1), as
 * binary frames: a 4-byte transfer number, then up to a chunk of the file.
 * Their own channel keeps a big file from holding up chat text, and the
 * number ties each frame to its transfer, so frames still in flight after a
 * cancel are dropped rather than taken for the next file's.
 */
import { z } from 'zod/mini';
import { parseFrame } from './frame-json.js';

export const MB = 1024 * 1024;
/** The files channel's SCTP stream; the chat's is 0. */
export const FILES_CHANNEL_ID = 1;
/** The transfer number that starts every frame: uint32, big-endian. */
export const FRAME_HEADER = 4;
/** Frames this side sends: 64 KiB, well within every browser's SCTP message size. */
export const FRAME_BYTES = 64 * 1024;
/** The largest frame accepted from a peer (Chromium's message size limit). */
export const MAX_FRAME = 256 * 1024;
/** An offer with no answer this long: the peer's Parley does not know files. */
export const ANSWER_TIMEOUT_MS = 8000;

const version = z.int().check(z.gte(2));
const id = z.string().check(z.minLength(1), z.maxLength(64));
const size = z.int().check(z.nonnegative(), z.lte(Number.MAX_SAFE_INTEGER));

/**
 * A file the sender is about to send; `n` numbers its frames. `waits`: this
 * sender holds the offer while the receiver asks its person (`file-asking`,
 * file-consent.ts); a sender without it gives up after ANSWER_TIMEOUT_MS.
 */
export const fileOfferSchema = z.object({
  v: version,
  type: z.literal('file-offer'),
  id,
  n: z.int().check(z.gte(1), z.lte(0xffff_ffff)),
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  size,
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  sentAt: z.int().check(z.nonnegative()),
  waits: z.optional(z.boolean()),
});
/** The receiver asks its person whether to take it: the sender waits for `file-accept` or `file-refuse`. */
export const fileAskingSchema = z.object({ v: version, type: z.literal('file-asking'), id });
/** The receiver takes it: frames may come. */
export const fileAcceptSchema = z.object({ v: version, type: z.literal('file-accept'), id });
/**
 * The receiver does not take it. `reason` is `too-large` (with the receiver's
 * `max` in bytes), `busy`, `call-full` (it took all the files or bytes it
 * takes in one call), `declined` (its person said no) or `expired` (its
 * person did not answer in time); an unknown reason is still a refusal.
 */
export const fileRefuseSchema = z.object({
  v: version,
  type: z.literal('file-refuse'),
  id,
  reason: z.string().check(z.maxLength(32)),
  max: z.optional(size),
});
/** Either side stops the transfer. */
export const fileCancelSchema = z.object({ v: version, type: z.literal('file-cancel'), id });
/** The receiver has every byte and checked them against the offer's hash. */
export const fileReceivedSchema = z.object({ v: version, type: z.literal('file-received'), id, intact: z.boolean() });

export type FileOffer = z.infer<typeof fileOfferSchema>;
export type FileControl =
  | FileOffer
  | z.infer<typeof fileAskingSchema>
  | z.infer<typeof fileAcceptSchema>
  | z.infer<typeof fileRefuseSchema>
  | z.infer<typeof fileCancelSchema>
  | z.infer<typeof fileReceivedSchema>;

const schemas = [fileOfferSchema, fileAskingSchema, fileAcceptSchema, fileRefuseSchema, fileCancelSchema, fileReceivedSchema];

/** Parses a message of the chat channel that is about a file; null when it is not a valid one. */
export function parseFileControl(data: unknown): FileControl | null {
  return parseFrame(data, 4096, schemas);
}

/** One frame of transfer `n`. */
export function frame(n: number, chunk: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(FRAME_HEADER + chunk.byteLength);
  new DataView(out.buffer).setUint32(0, n);
  out.set(chunk, FRAME_HEADER);
  return out.buffer;
}

/** A frame from the peer: its transfer number and bytes, or null when it is not a frame. */
export function unframe(data: unknown): { n: number; chunk: Uint8Array } | null {
  if (!(data instanceof ArrayBuffer) || data.byteLength <= FRAME_HEADER || data.byteLength > MAX_FRAME) return null;
  return { n: new DataView(data).getUint32(0), chunk: new Uint8Array(data, FRAME_HEADER) };
}

/** SHA-256 of the bytes, as 64 lowercase hex digits. */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The longest name saved: 255 bytes of UTF-8 is what ext4, APFS and NTFS (in UTF-16 units) all take. */
export const MAX_NAME_BYTES = 255;
/** An extension kept whole when a long name is cut: `.pdf`, `.tar.gz`'s `.gz`, not a sentence after a dot. */
const EXTENSION = /\.[^.\s]{1,16}$/u;
/** Names Windows gives to devices, with any extension and in any case (`con`, `COM1.txt`, `LPT¹.log`). */
const WINDOWS_DEVICE = /^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])[\s]*(\.|$)/iu;

/**
 * A peer's file name made safe to show and to save under on every OS: no
 * folders, no control characters, nothing invisible (zero-width characters,
 * joiners, byte order marks, and the direction overrides that make
 * `photo\u202Egnp.exe` look like `photoexe.png`), no characters Windows
 * refuses, no leading or trailing dots and spaces, no Windows device names
 * (`CON.txt` becomes `_CON.txt`), at most {@link MAX_NAME_BYTES} bytes with
 * the extension kept, and never empty.
 */
export function safeFileName(name: string): string {
  let cleaned = name
    .normalize('NFC')
    // Cc control, Cf format (zero-width, bidi), Zl/Zp separators, lone surrogates, and the rest that draws nothing.
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  if (WINDOWS_DEVICE.test(cleaned)) cleaned = `_${cleaned}`;
  return capName(cleaned) || 'file';
}

/** Cuts a name to {@link MAX_NAME_BYTES} UTF-8 bytes between whole characters, keeping a short extension. */
function capName(name: string): string {
  const bytes = (text: string): number => new TextEncoder().encode(text).byteLength;
  if (bytes(name) <= MAX_NAME_BYTES) return name;
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  let stem = '';
  const room = MAX_NAME_BYTES - bytes(ext);
  for (const char of name.slice(0, name.length - ext.length)) {
    if (bytes(stem + char) > room) break;
    stem += char;
  }
  return stem.replace(/[\s.]+$/u, '') + ext;
}

/** A size as people read it: 912 B, 12.3 KB, 4.5 MB, 1.2 GB (1 KB = 1024 bytes, as file managers count). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}
