/**
 * Push-to-talk keys: which keys may be held to talk, named by
 * KeyboardEvent.code (the key's place on the keyboard, whatever the layout,
 * so the window and the desktop app's global input hook agree on it), how to
 * name them to a person, and whether they type. Pure TypeScript.
 */
import { z } from 'zod/mini';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((letter) => `Key${letter}`);
const DIGITS = '0123456789'.split('').map((digit) => `Digit${digit}`);
const PUNCTUATION: Record<string, string> = {
  Backquote: '`',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
};
const NUMPAD: Record<string, string> = {
  ...Object.fromEntries('0123456789'.split('').map((digit) => [`Numpad${digit}`, `Num ${digit}`])),
  NumpadAdd: 'Num +',
  NumpadSubtract: 'Num -',
  NumpadMultiply: 'Num *',
  NumpadDivide: 'Num /',
  NumpadDecimal: 'Num .',
};
/**
 * Keys that type nothing. Left out on purpose: the Windows/Super key (its
 * release opens the Start menu or the overview), Caps Lock and Num Lock (they
 * toggle how you type), Escape, Tab, Enter, Backspace, Delete and the arrows
 * (everyone needs them while talking), Print Screen (the system takes it).
 */
const QUIET: Record<string, string> = {
  ...Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`F${i + 1}`, `F${i + 1}`])),
  ControlLeft: 'Left Ctrl',
  ControlRight: 'Right Ctrl',
  AltLeft: 'Left Alt',
  AltRight: 'Right Alt',
  ShiftLeft: 'Left Shift',
  ShiftRight: 'Right Shift',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'Page Up',
  PageDown: 'Page Down',
  ScrollLock: 'Scroll Lock',
};
const MAC_NAMES: Record<string, string> = {
  ControlLeft: 'Left ⌃',
  ControlRight: 'Right ⌃',
  AltLeft: 'Left ⌥',
  AltRight: 'Right ⌥',
  ShiftLeft: 'Left ⇧',
  ShiftRight: 'Right ⇧',
};

const NAMES: Record<string, string> = {
  ...Object.fromEntries(LETTERS.map((code) => [code, code.slice(3)])),
  ...Object.fromEntries(DIGITS.map((code) => [code, code.slice(5)])),
  ...PUNCTUATION,
  Space: 'Space',
  ...NUMPAD,
  ...QUIET,
};

/** Every key that may be the push-to-talk key, as KeyboardEvent.code. */
export const PUSH_TO_TALK_KEYS: readonly string[] = Object.keys(NAMES);

export const pushToTalkKeySchema = z.string().check(z.refine((code) => Object.hasOwn(NAMES, code), { message: 'not a push-to-talk key' }));

/** Whether holding `code` types a character (in a text field here, or in any other app). */
export function keyTypes(code: string): boolean {
  return Object.hasOwn(NAMES, code) && !Object.hasOwn(QUIET, code);
}

/** The key as its keycap says (a US layout for punctuation): "F8", "Right Ctrl", "Right ⌥" on a Mac. */
export function keyName(code: string, mac = false): string {
  return (mac ? MAC_NAMES[code] : undefined) ?? NAMES[code] ?? code;
}
