/** Voicemail in words, the same in the window and in the desktop's notifications: lengths as m:ss, and a new message's line. */

/** 42_000 → "0:42"; 125_400 → "2:05" (whole seconds, rounded down as a timer counts). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "Bob left a message, 0:42": a new message's notification (its length to the nearest second). */
export function leftMessageText(message: { from: { displayName: string }; durationMs: number }): string {
  return `${message.from.displayName} left a message, ${clock(message.durationMs + 500)}`;
}

/** The window title's part: "1 voicemail", "3 voicemails"; '' with none unheard. */
export function unheardText(unheard: number): string {
  if (unheard <= 0) return '';
  return unheard === 1 ? '1 voicemail' : `${unheard} voicemails`;
}
