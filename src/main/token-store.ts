/**
 * Keeps the signed-in session (server URL, token, user) across restarts in
 * `<userData>/session.bin`, encrypted with the OS keychain through
 * safeStorage when it is available (Keychain, DPAPI, libsecret/kwallet).
 *
 * File format: one header line, then the payload.
 *   "parley-session/1 encrypted\n" + safeStorage ciphertext of the JSON
 *   "parley-session/1 plain\n"     + the JSON (no OS encryption available)
 * Writes are atomic (temp file, flush, rename), mode 0600, one at a time.
 * A file that cannot be parsed, decrypted or validated is removed and reads
 * as "no session". An encrypted file is kept (not removed) while the OS
 * offers no decryption at all, e.g. a locked Linux keyring: it may open next
 * time.
 */
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { storedSessionSchema, type StoredSession } from '../shared/stored-session.js';
import { writeFileAtomically } from './atomic-file.js';
import type { AtomicWriteFs } from './atomic-file.js';
import { createLogger } from './log.js';

const log = createLogger('token-store');

export const SESSION_FILE = 'session.bin';
const HEADER_ENCRYPTED = 'parley-session/1 encrypted\n';
const HEADER_PLAIN = 'parley-session/1 plain\n';

/** The file operations the store uses (node:fs/promises; tests substitute failures). */
export interface TokenStoreFs extends AtomicWriteFs {
  readFile(path: string): Promise<Buffer>;
}

export interface TokenStoreDeps {
  /** The folder that holds session.bin: app.getPath('userData'). */
  dir: string;
  fs?: TokenStoreFs;
  platform?: NodeJS.Platform;
}

export interface TokenStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
  /** Whether stored tokens are protected by the OS (false: plain, or Linux's hard-coded "basic_text" key). */
  isSecure(): Promise<boolean>;
}

class Unreadable extends Error {}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function createTokenStore(deps: TokenStoreDeps): TokenStore {
  const fs = deps.fs ?? nodeFs;
  const platform = deps.platform ?? process.platform;
  const file = join(deps.dir, SESSION_FILE);
  let warnedPlain = false;

  // One file operation at a time, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  function serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = queue.then(operation, operation);
    queue = result.catch(() => undefined);
    return result;
  }

  const encryptionAvailable = (): Promise<boolean> => safeStorage.isAsyncEncryptionAvailable();

  const writeAtomically = (data: Buffer): Promise<void> => writeFileAtomically(fs, file, data);

  async function write(session: StoredSession): Promise<void> {
    const json = JSON.stringify(storedSessionSchema.parse(session));
    if (await encryptionAvailable()) {
      const ciphertext = await safeStorage.encryptStringAsync(json);
      await writeAtomically(Buffer.concat([Buffer.from(HEADER_ENCRYPTED), ciphertext]));
      return;
    }
    if (!warnedPlain) {
      log.warn('the OS offers no encryption: the session token is stored unencrypted (file mode 0600)');
      warnedPlain = true;
    }
    await writeAtomically(Buffer.from(HEADER_PLAIN + json));
  }

  function parse(json: string): StoredSession {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new Unreadable('not JSON');
    }
    const parsed = storedSessionSchema.safeParse(value);
    if (!parsed.success) throw new Unreadable('not a valid session');
    return parsed.data;
  }

  /** Returns the session and whether it should be written again (re-encrypted). */
  async function decode(bytes: Buffer): Promise<{ session: StoredSession; rewrite: boolean } | null> {
    const encryptedHeader = Buffer.from(HEADER_ENCRYPTED);
    const plainHeader = Buffer.from(HEADER_PLAIN);
    if (bytes.subarray(0, encryptedHeader.length).equals(encryptedHeader)) {
      if (!(await encryptionAvailable())) {
        log.warn('the stored session is encrypted but the OS offers no decryption now; keeping it for later');
        return null;
      }
      let plaintext: string;
      let shouldReEncrypt: boolean;
      try {
        ({ result: plaintext, shouldReEncrypt } = await safeStorage.decryptStringAsync(
          bytes.subarray(encryptedHeader.length),
        ));
      } catch {
        throw new Unreadable('cannot be decrypted');
      }
      return { session: parse(plaintext), rewrite: shouldReEncrypt };
    }
    if (bytes.subarray(0, plainHeader.length).equals(plainHeader)) {
      const session = parse(bytes.subarray(plainHeader.length).toString('utf8'));
      // Encryption has become available since: upgrade the file.
      return { session, rewrite: await encryptionAvailable() };
    }
    throw new Unreadable('unknown format');
  }

  async function load(): Promise<StoredSession | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    try {
      const decoded = await decode(bytes);
      if (decoded === null) return null;
      if (decoded.rewrite) {
        await write(decoded.session).catch((error: unknown) => log.warn('could not re-encrypt the stored session', error));
      }
      return decoded.session;
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      log.warn(`removing the stored session: ${error.message}`);
      await fs.rm(file, { force: true });
      return null;
    }
  }

  return {
    load: () => serialized(load),
    save: (session) => serialized(() => write(session)),
    clear: () => serialized(() => fs.rm(file, { force: true })),
    async isSecure() {
      if (!(await encryptionAvailable())) return false;
      if (platform !== 'linux') return true;
      const backend = safeStorage.getSelectedStorageBackend();
      return backend !== 'basic_text' && backend !== 'unknown';
    },
  };
}
