/** The OS keyring behind safeStorage: whether it is there, which backend, and a reversible stand-in for its encryption. */

/** Fake "encryption": reversed base64 behind a marker, so the plaintext never appears in the bytes. */
const CIPHER_MARK = 'FAKE-SAFESTORAGE:';

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  shouldReEncrypt: false,
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  },
  encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!this.available) return Promise.reject(new Error('Encryption is not available.'));
    const scrambled = Buffer.from(Buffer.from(plainText, 'utf8').toString('base64'), 'latin1').reverse();
    return Promise.resolve(Buffer.concat([Buffer.from(CIPHER_MARK, 'latin1'), scrambled]));
  },
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    const text = encrypted.toString('latin1');
    if (!this.available || !text.startsWith(CIPHER_MARK)) {
      return Promise.reject(new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.'));
    }
    const base64 = Buffer.from(text.slice(CIPHER_MARK.length), 'latin1').reverse().toString('latin1');
    return Promise.resolve({ result: Buffer.from(base64, 'base64').toString('utf8'), shouldReEncrypt: this.shouldReEncrypt });
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
};

export function resetSafeStorage(): void {
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.shouldReEncrypt = false;
}
