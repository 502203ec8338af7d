/**
 * A short code both sides of a peer connection can read to each other to
 * check that nobody in between (the signaling server included) swapped the
 * keys: it is derived from the two DTLS certificate fingerprints in the
 * negotiated descriptions, which are what the media is encrypted to. Each
 * side sorts the two, so both compute the same code; a substituted
 * certificate on either leg changes it. Eight digits: an attacker who
 * substitutes keys would have to make both legs' codes match by chance.
 */

/** The `a=fingerprint:` values of a description (session and media level), normalised. */
export function fingerprintsOf(sdp: string): string[] {
  const found = new Set<string>();
  for (const m of sdp.matchAll(/^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/gm)) found.add(`${(m[1] ?? '').toLowerCase()} ${(m[2] ?? '').toUpperCase()}`);
  return [...found].sort();
}

/** The code for a connection whose descriptions are `local` and `remote`; null while either has no fingerprint. */
export async function verificationCode(local: string, remote: string): Promise<string | null> {
  const mine = fingerprintsOf(local);
  const theirs = fingerprintsOf(remote);
  if (mine.length === 0 || theirs.length === 0) return null;
  const input = [mine.join(','), theirs.join(',')].sort().join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`parley-verification-v1\n${input}`)));
  const n = new DataView(digest.buffer).getUint32(0) % 100_000_000;
  const digits = String(n).padStart(8, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}
