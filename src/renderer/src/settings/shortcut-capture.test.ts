import { describe, expect, it } from 'vitest';
import { captureShortcut, describeAccelerator } from './shortcut-capture.js';

const key = (code: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}, k = '') => ({
  code,
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcut capture', () => {
  it('turns modifier + key into an accelerator', () => {
    expect(captureShortcut(key('KeyM', { ctrlKey: true, altKey: true }), false)).toEqual({ accelerator: 'CommandOrControl+Alt+M' });
    expect(captureShortcut(key('KeyM', { metaKey: true, shiftKey: true }), true)).toEqual({ accelerator: 'CommandOrControl+Shift+M' });
    expect(captureShortcut(key('Digit5', { altKey: true }), false)).toEqual({ accelerator: 'Alt+5' });
    expect(captureShortcut(key('ArrowUp', { ctrlKey: true }), false)).toEqual({ accelerator: 'CommandOrControl+Up' });
    expect(captureShortcut(key('F13'), false)).toEqual({ accelerator: 'F13' });
  });

  it('refuses keys people type with, and waits while only modifiers are held', () => {
    expect(captureShortcut(key('KeyA'), false)).toHaveProperty('incomplete');
    expect(captureShortcut(key('KeyA', { shiftKey: true }), false)).toHaveProperty('incomplete');
    expect(captureShortcut(key('ControlLeft', { ctrlKey: true }, 'Control'), false)).toHaveProperty('incomplete');
  });

  it('Escape cancels and Backspace turns the shortcut off', () => {
    expect(captureShortcut(key('Escape', {}, 'Escape'), false)).toEqual({ cancel: true });
    expect(captureShortcut(key('Backspace', {}, 'Backspace'), false)).toEqual({ clear: true });
  });

  it('describes accelerators in the keyboard\'s words', () => {
    expect(describeAccelerator('CommandOrControl+Alt+M', false)).toBe('Ctrl+Alt+M');
    expect(describeAccelerator('CommandOrControl+Alt+M', true)).toBe('⌘⌥M');
  });
});
