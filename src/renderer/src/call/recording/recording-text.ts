/** What the recording badge and the announcements say, and the file's name. */

/** Who records the call, in words, or null when nobody does. `names`: the others recording. */
export function recordingText(me: boolean, names: readonly string[]): string | null {
  const who = me ? [...names, 'you'] : [...names];
  if (who.length === 0) return null;
  if (me && names.length === 0) return 'You are recording this call';
  const list = who.length === 1 ? (who[0] ?? '') : `${who.slice(0, -1).join(', ')} and ${who.at(-1) ?? ''}`;
  return `${list} ${who.length === 1 ? 'is' : 'are'} recording this call`;
}

/** `parley-<title>-2026-11-23-1405.webm`: sorts by date in a folder, says which call, safe on every system. */
export function recordingFileName(title: string, time: number): string {
  const at = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}`;
  const slug = title
    .normalize('NFKD')
    .replace(/[^\w-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .toLowerCase();
  return `parley-${slug ? `${slug}-` : ''}${stamp}.webm`;
}
