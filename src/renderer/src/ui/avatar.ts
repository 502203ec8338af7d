/** Avatars: initials from a name, and a colour of its own for each user. */

/** Background hues, each dark enough for white initials at AA contrast. */
export const AVATAR_COLOURS = ['#4f46e5', '#0f766e', '#b45309', '#be123c', '#7c3aed', '#0369a1', '#15803d', '#a21caf', '#c2410c', '#475569'] as const;

let segmenter: Intl.Segmenter | undefined;
/** User-perceived characters: an emoji with its modifiers is one. */
const graphemes = (text: string): string[] => {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
};

/** "Ada Lovelace" → "AL", "ada" → "AD", "李小龍" → "李小"; "?" for nothing. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = graphemes(words[0] ?? '');
  const last = words.length > 1 ? graphemes(words[words.length - 1] ?? '') : [];
  const picked = last.length > 0 ? [first[0], last[0]] : first.slice(0, 2);
  return picked.join('').toLocaleUpperCase();
}

/** The same colour for the same user everywhere (a hash of the username). */
export function avatarColour(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return AVATAR_COLOURS[(h >>> 0) % AVATAR_COLOURS.length] ?? AVATAR_COLOURS[0];
}
