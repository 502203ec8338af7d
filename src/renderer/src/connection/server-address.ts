/**
 * The server's address as a person types it, and whether signing in there
 * would send the password unencrypted. A bare host means https, except on
 * this computer (loopback), where a local server speaks plain http and
 * nothing leaves the machine.
 */

/** localhost (and *.localhost, which resolves to loopback), 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * "chat.example.com" → "https://chat.example.com", "localhost:7070" →
 * "http://localhost:7070"; an address with a scheme keeps it. The origin
 * only: no path, no trailing slash. Throws (TypeError) on what is no address.
 */
export function normalizeServerUrl(input: string): string {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) return new URL(text).origin;
  const bare = new URL(`http://${text}`);
  return isLoopbackHost(bare.hostname) ? bare.origin : new URL(`https://${text}`).origin;
}

/** True when a password sent to this (normalised) server would cross the network unencrypted. */
export function sendsPasswordInClear(serverUrl: string): boolean {
  const url = new URL(serverUrl);
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** Like sendsPasswordInClear, for what is being typed: false while it is no address yet. */
export function typedAddressIsPlainHttp(input: string): boolean {
  try {
    return sendsPasswordInClear(normalizeServerUrl(input));
  } catch {
    return false;
  }
}
