/**
 * The key that makes display names unique per server: two names with the same
 * key look alike, so the second is refused (`display_name_taken`). It is
 * NFKC (compatibility forms: "ﬁ" is "fi", full-width letters are letters),
 * case-folded, with runs of spaces as one, then the confusable skeleton of
 * Unicode TS #39 (Cyrillic "а" is Latin "a", "0" is "O", "rn" and "m" agree),
 * case-folded again so a skeleton that maps to a capital ("0" → "O") still
 * meets its lowercase. The skeleton's mapping is Unicode's confusables.txt,
 * as the `unhomoglyph` package carries it. Never shown: only compared.
 * Stored in users.display_name_key: changing what this returns needs a
 * migration that recomputes the column.
 */
import unhomoglyph from 'unhomoglyph';

/** Full case folding as far as JavaScript has it: upper then lower turns "ß" into "ss", like "SS". */
const fold = (s: string): string => s.toUpperCase().toLowerCase();

export function displayNameKey(displayName: string): string {
  const folded = fold(displayName.normalize('NFKC')).replace(/\s+/gu, ' ').trim();
  // TS #39 skeleton: NFD, map each confusable to its prototype, NFD again.
  const skeleton = unhomoglyph(folded.normalize('NFD')).normalize('NFD');
  return fold(skeleton).normalize('NFC');
}
