/** Avatars: initials from a name, and a colour of its own for each user. */

/** Background hues, each dark enough to carry white initials at AA contrast (avatar.test.ts). */
export const AVATAR_HUES = [
  '#4f46e5', // indigo
  '#7c3aed', // violet
  '#a21caf', // fuchsia
  '#be123c', // rose
  '#c2410c', // orange
  '#a16207', // amber
  '#15803d', // green
  '#0f766e', // teal
  '#0e7490', // cyan
  '#475569', // slate
] as const;

export type AvatarHue = (typeof AVATAR_HUES)[number];

let segmenter: Intl.Segmenter | undefined;

/** Printable ASCII, letters, digits, punctuation and spaces: each code point of these is a grapheme of its own, but for the next. */
const PLAIN = /^[\x20-\x7e\p{L}\p{N}\p{P}\p{Zs}]*$/u;
/**
 * The letters among them that join a neighbour into one grapheme (Unicode's
 * Grapheme_Cluster_Break Prepend, SpacingMark, Extend and the Hangul jamo, as
 * letters): a name with one goes to the segmenter. avatar.test.ts checks the
 * whole class against Intl.Segmenter.
 */
const JOINING = /[\u0D4E\u0E33\u0EB3\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\uFF9E\uFF9F\u{111C2}\u{111C3}\u{1193F}\u{11941}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}\u{113D1}]/u;

/** Whether each code point of `text` is a grapheme of its own, which Intl.Segmenter then need not say. */
export function oneCodePointEach(text: string): boolean {
  return PLAIN.test(text) && !JOINING.test(text);
}

/** User-perceived characters: an emoji with its modifiers, or a letter with its accents, is one. */
function graphemes(text: string): string[] {
  // The first segmenter of a page loads the locale's break data, tens of ms of main thread, and a returning visit
  // draws its contact list's initials in its first task: names of precomposed letters (Chloé, García, 李小龍) need none.
  if (oneCodePointEach(text)) return Array.from(text);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** A word's characters from its first letter or digit on ("(Bob)" → "Bob)"); none for punctuation or emoji alone. */
function fromLetter(word: string): string[] {
  const chars = graphemes(word);
  const first = chars.findIndex((c) => /^[\p{L}\p{N}]/u.test(c));
  return first < 0 ? [] : chars.slice(first);
}

/** Upper case, unless that changes the length ("ß" stays "ß", not "SS"). */
function upper(char: string): string {
  const up = char.toLocaleUpperCase();
  return up.length === char.length ? up : char;
}

/**
 * Up to two characters for a name: the first letters of its first two words
 * ("Ada Lovelace" → "AL"), or the first two of a single word ("bob" → "BO",
 * "李小龍" → "李小"). Words without letters (emoji, punctuation) are skipped;
 * a name of only those shows its first one ("🦊"). "?" for an empty name.
 */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._]+/u).map(fromLetter).filter((w) => w.length > 0);
  const [first, second] = words;
  if (first && second) return upper(first[0] ?? '') + upper(second[0] ?? '');
  if (first) return first.slice(0, 2).map(upper).join('');
  return graphemes(name.trim())[0] ?? '?';
}

/** The same hue for the same user everywhere: an FNV-1a hash of the username picks one. */
export function avatarHue(id: string): AvatarHue {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return AVATAR_HUES[(h >>> 0) % AVATAR_HUES.length] ?? AVATAR_HUES[0];
}
