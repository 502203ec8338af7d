/**
 * Turns a key press in the Settings key-capture field into an Electron
 * accelerator ("CommandOrControl+Alt+M"), or explains why it cannot be one.
 */
import { normalizeAccelerator } from '../../../shared/ipc.js';

export type Capture = { accelerator: string } | { clear: true } | { cancel: true } | { incomplete: string };

const CODE_KEYS: Record<string, string> = {
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Space: 'Space',
  Enter: 'Enter',
  Tab: 'Tab',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  Insert: 'Insert',
  Minus: '-',
  Equal: '=',
  Comma: ',',
  Period: '.',
  Slash: '/',
  Semicolon: ';',
  Quote: "'",
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Backquote: '`',
};

type KeyInput = Pick<KeyboardEvent, 'code' | 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** `mac`: Command is the primary modifier (CommandOrControl), Control is Control. */
export function captureShortcut(e: KeyInput, mac: boolean): Capture {
  const plain = !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey;
  if (plain && e.key === 'Escape') return { cancel: true };
  if (plain && (e.key === 'Backspace' || e.key === 'Delete')) return { clear: true };
  let key: string | undefined;
  if (/^Key[A-Z]$/.test(e.code)) key = e.code.slice(3);
  else if (/^Digit\d$/.test(e.code)) key = e.code.slice(5);
  else if (/^F\d{1,2}$/.test(e.code)) key = e.code;
  else if (/^Numpad\d$/.test(e.code)) key = `num${e.code.slice(6)}`;
  else key = CODE_KEYS[e.code];
  if (key === undefined) return { incomplete: 'Hold a modifier (Ctrl, Alt, ⌘) and press a key' };
  const parts: string[] = [];
  if (mac ? e.metaKey : e.ctrlKey) parts.push('CommandOrControl');
  if (mac && e.ctrlKey) parts.push('Control');
  if (!mac && e.metaKey) parts.push('Super');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey) parts.push('Shift');
  const accelerator = normalizeAccelerator([...parts, key].join('+'));
  return accelerator ? { accelerator } : { incomplete: 'Add Ctrl, Alt or ⌘: a shortcut must not take a key you type with' };
}

/** "CommandOrControl+Alt+M" as the user's keyboard labels it. */
export function describeAccelerator(accelerator: string, mac: boolean): string {
  return accelerator
    .split('+')
    .map((p) => (p === 'CommandOrControl' ? (mac ? '⌘' : 'Ctrl') : p === 'Alt' && mac ? '⌥' : p === 'Shift' && mac ? '⇧' : p))
    .join(mac ? '' : '+');
}
