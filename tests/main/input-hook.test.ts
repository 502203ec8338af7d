/**
 * The wrapper around uiohook-napi: every push-to-talk key has a uiohook key
 * (checked against the installed package's own declarations, without loading
 * its native part), keycodes become KeyboardEvent.code, and the system's
 * refusals become sentences.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hookProblem, keyHookOf, uiohookName } from '../../src/main/input-hook.js';
import { PUSH_TO_TALK_KEYS } from '../../src/shared/push-to-talk.js';
import { fakeUiohookModule } from './fake-uiohook.js';

/** The key names uiohook-napi declares in `UiohookKey` (dist/index.d.ts). */
function declaredKeys(): Set<string> {
  const main = createRequire(import.meta.url).resolve('uiohook-napi');
  const types = readFileSync(join(dirname(main), 'index.d.ts'), 'utf8');
  const table = types.slice(types.indexOf('export declare const UiohookKey'), types.indexOf('};', types.indexOf('export declare const UiohookKey')));
  return new Set([...table.matchAll(/readonly (\w+):/g)].map((m) => m[1]!));
}

describe('input hook', () => {
  it('every push-to-talk key is a key uiohook-napi knows', () => {
    const known = declaredKeys();
    expect(known.size).toBeGreaterThan(100);
    expect(PUSH_TO_TALK_KEYS.filter((code) => !known.has(uiohookName(code)))).toEqual([]);
  });

  it.each([
    ['KeyQ', 'Q'],
    ['Digit7', '7'],
    ['F13', 'F13'],
    ['ControlRight', 'CtrlRight'],
    ['ControlLeft', 'Ctrl'],
    ['AltLeft', 'Alt'],
    ['AltRight', 'AltRight'],
    ['Backquote', 'Backquote'],
    ['NumpadAdd', 'NumpadAdd'],
  ])('%s is uiohook’s %s', (code, name) => {
    expect(uiohookName(code)).toBe(name);
  });

  it('reports the keys it was given by KeyboardEvent.code, and no other', () => {
    const module = fakeUiohookModule();
    const hook = keyHookOf(module, ['F8', 'ControlRight']);
    const seen: [string, boolean][] = [];
    const stop = hook.onKey((code, down) => seen.push([code, down]));
    hook.start();
    module.uIOhook.press('F8');
    module.uIOhook.press('KeyA');
    module.uIOhook.release('ControlRight');
    stop();
    module.uIOhook.release('F8');
    hook.stop();
    expect(seen).toEqual([
      ['F8', true],
      ['ControlRight', false],
    ]);
    expect(module.uIOhook.calls).toEqual(['start', 'stop']);
  });

  it.each([
    ['UIOHOOK_ERROR_AXAPI_DISABLED', 'darwin', /Accessibility/],
    ['UIOHOOK_ERROR_X_OPEN_DISPLAY', 'linux', /X11 with the XRecord extension/],
    ['UIOHOOK_ERROR_X_RECORD_NOT_FOUND', 'linux', /XRecord/],
    ['UIOHOOK_ERROR_SET_WINDOWS_HOOK_EX', 'win32', /^Windows refused/],
    ['UIOHOOK_FAILURE', 'linux', /X11 and libXtst/],
    ['UIOHOOK_FAILURE', 'win32', /^the keyboard hook could not start$/],
  ] as const)('%s on %s is said in words', (code, platform, words) => {
    expect(hookProblem(Object.assign(new Error(code), { code }), platform)).toMatch(words);
  });
});
