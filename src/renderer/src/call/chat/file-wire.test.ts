import { describe, expect, it } from 'vitest';
import { FRAME_HEADER, MAX_FRAME, formatSize, frame, parseFileControl, safeFileName, sha256Hex, unframe } from './file-wire.js';

const HASH = 'a'.repeat(64);
const offer = (extra: object = {}) => JSON.stringify({ v: 2, type: 'file-offer', id: 'f1', n: 1, name: 'notes.txt', size: 12, sha256: HASH, sentAt: 5, ...extra });

describe('messages about files', () => {
  it('accepts an offer, its answers, a cancel and the receiver\'s check', () => {
    expect(parseFileControl(offer())).toEqual({ v: 2, type: 'file-offer', id: 'f1', n: 1, name: 'notes.txt', size: 12, sha256: HASH, sentAt: 5 });
    expect(parseFileControl(offer({ waits: true }))).toMatchObject({ type: 'file-offer', waits: true });
    for (const m of [
      { v: 2, type: 'file-asking', id: 'f1' },
      { v: 2, type: 'file-accept', id: 'f1' },
      { v: 2, type: 'file-refuse', id: 'f1', reason: 'declined' },
      { v: 2, type: 'file-refuse', id: 'f1', reason: 'expired' },
      { v: 2, type: 'file-refuse', id: 'f1', reason: 'too-large', max: 1024 },
      { v: 2, type: 'file-refuse', id: 'f1', reason: 'a reason from a later version' },
      { v: 2, type: 'file-cancel', id: 'f1' },
      { v: 2, type: 'file-received', id: 'f1', intact: false },
    ]) {
      expect(parseFileControl(JSON.stringify(m))).toEqual(m);
    }
  });

  it('ignores fields it does not know, as every version 2 message does', () => {
    expect(parseFileControl(offer({ v: 3, mime: 'text/plain' }))).toMatchObject({ v: 3, id: 'f1' });
  });

  it.each([
    ['no version', JSON.stringify({ type: 'file-accept', id: 'f1' })],
    ['an upper-case or short hash', offer({ sha256: 'A'.repeat(64) })],
    ['a hash of the wrong length', offer({ sha256: 'a'.repeat(63) })],
    ['a negative size', offer({ size: -1 })],
    ['a fractional size', offer({ size: 1.5 })],
    ['an empty name', offer({ name: '' })],
    ['a name over 255 characters', offer({ name: 'x'.repeat(256) })],
    ['transfer number 0', offer({ n: 0 })],
    ['a transfer number past 32 bits', offer({ n: 2 ** 32 })],
    ['a check without its verdict', JSON.stringify({ v: 2, type: 'file-received', id: 'f1' })],
    ['an asking without its file', JSON.stringify({ v: 2, type: 'file-asking' })],
    ['an asking of version 1', JSON.stringify({ v: 1, type: 'file-asking', id: 'f1' })],
    ['an asking with an id over 64 characters', JSON.stringify({ v: 2, type: 'file-asking', id: 'x'.repeat(65) })],
    ['an offer that waits in words', offer({ waits: 'yes' })],
    ['a refusal with a reason over 32 characters', JSON.stringify({ v: 2, type: 'file-refuse', id: 'f1', reason: 'd'.repeat(33) })],
    ['a chat message', JSON.stringify({ v: 2, type: 'chat', id: 'a', seq: 1, text: 'x', sentAt: 1 })],
    ['not JSON', '{file'],
    ['binary', new ArrayBuffer(8)],
    ['a huge frame', 'x'.repeat(10_000)],
  ])('refuses %s', (_, data) => {
    expect(parseFileControl(data)).toBeNull();
  });
});

describe('frames', () => {
  it('carry the transfer number before the bytes', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const data = frame(0x01020304, bytes);
    expect([...new Uint8Array(data)]).toEqual([1, 2, 3, 4, 1, 2, 3]);
    const back = unframe(data);
    expect(back?.n).toBe(0x01020304);
    expect([...(back?.chunk ?? [])]).toEqual([1, 2, 3]);
  });

  it.each([
    ['text', 'abcdef'],
    ['a header without bytes', new ArrayBuffer(FRAME_HEADER)],
    ['a frame over the largest accepted', new ArrayBuffer(MAX_FRAME + 1)],
    ['a typed array, not the buffer binaryType gives', new Uint8Array(10)],
  ])('refuses %s', (_, data) => {
    expect(unframe(data)).toBeNull();
  });
});

describe('the hash', () => {
  it('is SHA-256 in lowercase hex', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc').buffer)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new ArrayBuffer(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('names and sizes', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['C:\\Windows\\evil.exe', 'C__Windows_evil.exe'],
    ['photo\u202Egnp.exe', 'photognp.exe'],
    ['bell\u0007\u0000.txt', 'bell.txt'],
    ['  .hidden. ', 'hidden'],
    ['...', 'file'],
    ['a'.repeat(300), 'a'.repeat(255)],
    ['zero\u200Bwidth\u200C\u200D\u200E\u200F.txt', 'zerowidth.txt'],
    ['word\u2060joiner\u2061\u2062\u2063\u2064.txt', 'wordjoiner.txt'],
    ['\uFEFFbom.txt', 'bom.txt'],
    ['\u202Aembed\u202B\u202C\u202Dx\u202E.txt', 'embedx.txt'],
    ['\u2066iso\u2067\u2068late\u2069.txt', 'isolate.txt'],
    ['soft\u00ADhyphen\u034Fgrapheme.txt', 'softhyphengrapheme.txt'],
    ['line\u2028para\u2029.txt', 'linepara.txt'],
    ['tab\there\nnew.txt', 'tabherenew.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['trailing. . .', 'trailing'],
    ['name.txt\u200B. ', 'name.txt'],
    ['\u200B\u200B', 'file'],
    ['', 'file'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['CON.', '_CON'],
    ['Con .tar.gz', '_Con .tar.gz'],
    ['PRN.log', '_PRN.log'],
    ['aux', '_aux'],
    ['NUL.txt', '_NUL.txt'],
    ['COM1.txt', '_COM1.txt'],
    ['com9', '_com9'],
    ['LPT1', '_LPT1'],
    ['lpt9.doc', '_lpt9.doc'],
    ['COM\u00B9.txt', '_COM\u00B9.txt'],
    ['C\u200BON.txt', '_CON.txt'],
    ['CONSOLE.txt', 'CONSOLE.txt'],
    ['COM10.txt', 'COM10.txt'],
    ['my CON.txt', 'my CON.txt'],
    ['a'.repeat(300) + '.pdf', 'a'.repeat(251) + '.pdf'],
    ['\u00e9'.repeat(200) + '.txt', '\u00e9'.repeat(125) + '.txt'],
    ['\u{1F600}'.repeat(100), '\u{1F600}'.repeat(63)],
  ])('makes %j safe: %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('never returns a name longer than 255 bytes or one that ends in a dot or space', () => {
    for (const name of ['x'.repeat(254) + ' .txt', '\u00e9'.repeat(254), 'b'.repeat(250) + '.' + 'c'.repeat(40)]) {
      const safe = safeFileName(name);
      expect(new TextEncoder().encode(safe).byteLength).toBeLessThanOrEqual(255);
      expect(safe).not.toMatch(/[\s.]$/);
    }
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [100 * 1024 * 1024, '100 MB'],
    [1024 ** 3, '1 GB'],
    [123_456_789, '118 MB'],
  ])('%d bytes read %s', (bytes, words) => {
    expect(formatSize(bytes)).toBe(words);
  });
});
