/**
 * The key that makes display names unique per server: two names with the same
 * key look alike, so the second is refused (`display_name_taken`). It is
 * NFKC (compatibility forms: "ﬁ" is "fi", full-width letters are letters),
 * with blank-looking characters (the braille blank, Hangul fillers) and runs
 * of spaces as one space, then the confusable skeleton of Unicode TS #39
 * (Cyrillic "а" is Latin "a", "0" is "O", capital "I" is "l", "rn" and "m"
 * agree), taken before any case folding: folding first would turn a capital
 * that looks like another letter ("AIice") or a letter of another script
 * (Cherokee "Ꭺ") into something the skeleton no longer maps. Then case-folded,
 * so names differing only in case meet. The skeleton's mapping is Unicode's
 * confusables.txt, as the `unhomoglyph` package carries it. Never shown: only
 * compared. Stored in users.display_name_key: changing what this returns
 * needs a migration that recomputes the column (as 0012 did).
 */
import unhomoglyph from 'unhomoglyph';

/** Full case folding as far as JavaScript has it: upper then lower turns "ß" into "ss", like "SS". */
const fold = (s: string): string => s.toUpperCase().toLowerCase();

/** Characters that show as blank space without being spaces (\s misses them). */
const BLANK_LOOKING = /[\u2800\u115F\u1160\u3164\uFFA0\u2028\u2029]/gu;

/** Latin small capitals a to z (one UTF-16 unit each), which NFKC keeps and confusables.txt does not map: each is its letter. */
const SMALL_CAPITALS = 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ';
const SMALL_CAPITAL = new RegExp(`[${SMALL_CAPITALS}]`, 'gu');

/** TS #39 skeleton: NFD, each confusable mapped to its prototype, NFD again. */
const skeleton = (s: string): string => unhomoglyph(s.normalize('NFD')).normalize('NFD');

export function displayNameKey(displayName: string): string {
  const spaced = displayName
    .normalize('NFKC')
    .replace(BLANK_LOOKING, ' ')
    .replace(SMALL_CAPITAL, (c) => String.fromCharCode(97 + SMALL_CAPITALS.indexOf(c)))
    .replace(/\s+/gu, ' ')
    .trim();
  // Skeleton, fold, skeleton again (a folded letter may have a prototype of its own). Capital "I" looks
  // like "l" and folds to "i", so look and case together make "i" and "l" one letter.
  return skeleton(fold(skeleton(spaced))).replace(/i/gu, 'l').normalize('NFC');
}
