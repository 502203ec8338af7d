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

/**
 * The first segmenter of a page loads the locale's break data: tens of ms of
 * main thread. The app calls this while it waits for the server, so the first
 * contact list with an accented name does not wait for it.
 */
export function prepareInitials(): void {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
}
/** User-perceived characters: an emoji with its modifiers, or a letter with its accents, is one. */
function graphemes(text: string): string[] {
  // Printable ASCII is one character per grapheme: the common name needs no segmenter, whose first use costs tens of ms at start.
  if (/^[\x20-\x7e]*$/.test(text)) return text.split('');
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
