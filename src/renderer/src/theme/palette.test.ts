// The stylesheet is read as text: Vitest empties CSS imports, even ?raw ones.
// eslint-disable-next-line no-restricted-imports -- a test, not the renderer
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrast, over } from './contrast.js';
import { colour, FIXED, THEMED, type FixedToken, type Theme, type ThemedToken } from './palette.js';

type Token = ThemedToken | FixedToken;
const THEMES: Theme[] = ['light', 'dark'];

/** Text (4.5:1): each foreground on each background it is used on. */
const TEXT: [Token, Token[]][] = [
  ['text', ['bg', 'panel', 'raised', 'sunken', 'hover', 'hover-strong', 'control', 'control-hover', 'primary-soft', 'success-soft', 'warning-soft', 'danger-soft']],
  ['muted', ['bg', 'panel', 'raised', 'sunken', 'hover', 'hover-strong', 'control']],
  ['subtle', ['bg', 'panel', 'raised', 'sunken']],
  ['primary-text', ['bg', 'panel', 'raised', 'hover', 'primary-soft']],
  ['on-primary', ['primary', 'primary-hover', 'primary-pressed']],
  ['on-success', ['success', 'success-hover']],
  ['on-warning', ['warning']],
  ['on-danger', ['danger', 'danger-hover', 'danger-pressed']],
  ['success-text', ['success-soft', 'panel', 'bg']],
  ['warning-text', ['warning-soft', 'panel']],
  ['danger-text', ['danger-soft', 'panel', 'bg', 'raised', 'sunken']],
  // The stage is dark in both themes.
  ['stage-text', ['stage-bg', 'stage-tile', 'stage-raised', 'stage-hover']],
  ['stage-muted', ['stage-bg', 'stage-tile', 'stage-raised']],
];

/** Controls and graphics (3:1): field edges, focus rings, presence dots, stars. */
const UI: [Token, Token[]][] = [
  ['line-strong', ['bg', 'panel', 'raised']],
  ['focus', ['bg', 'panel', 'raised', 'sunken']],
  ['primary', ['bg', 'panel']],
  ['presence-available', ['bg', 'panel', 'raised']],
  ['presence-away', ['bg', 'panel', 'raised']],
  ['presence-busy', ['bg', 'panel', 'raised']],
  ['presence-dnd', ['bg', 'panel', 'raised']],
  ['presence-offline', ['bg', 'panel', 'raised']],
  ['speaking', ['bg', 'panel']],
  ['favorite', ['bg', 'panel', 'hover']],
  ['danger', ['bg', 'panel']],
];

/** Inside the stage the theme is dark (color-scheme: dark), whatever the app's theme: the dark values meet the stage's surfaces. */
const ON_STAGE: [Token, Token[], number][] = [
  ['text', ['stage-bg', 'stage-tile', 'stage-raised'], 4.5],
  ['muted', ['stage-bg', 'stage-tile'], 4.5],
  ['text', ['control', 'control-hover'], 4.5],
  ['focus', ['stage-bg', 'stage-tile', 'stage-raised'], 3],
  ['speaking', ['stage-bg', 'stage-tile'], 3],
  ['presence-offline', ['stage-bg', 'stage-tile'], 3],
  // "Not delivered" under a chat message.
  ['danger-text', ['stage-raised'], 4.5],
];

const tokensCss = readFileSync(new URL('./tokens.css', import.meta.url), 'utf8');

function failures(pairs: [Token, Token[]][], min: number, theme: Theme): string[] {
  const bad: string[] = [];
  for (const [fg, bgs] of pairs) {
    for (const bg of bgs) {
      const ratio = contrast(colour(fg, theme), colour(bg, theme));
      if (ratio < min) bad.push(`${theme}: ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
  }
  return bad;
}

describe('palette contrast (WCAG AA)', () => {
  for (const theme of THEMES) {
    it(`text is 4.5:1 on its backgrounds (${theme})`, () => {
      expect(failures(TEXT, 4.5, theme)).toEqual([]);
    });
    it(`controls and presence are 3:1 on their surfaces (${theme})`, () => {
      expect(failures(UI, 3, theme)).toEqual([]);
    });
  }

  it('the dark theme reads on the stage, which is dark in both themes', () => {
    const bad = ON_STAGE.flatMap(([fg, bgs, min]) =>
      bgs.filter((bg) => contrast(colour(fg, 'dark'), colour(bg, 'dark')) < min).map((bg) => `${fg} on ${bg}`),
    );
    expect(bad).toEqual([]);
  });

  it('a name on the stage overlay reads over any video, even a white one', () => {
    for (const frame of ['#ffffff', '#808080', FIXED['stage-tile']]) {
      expect(contrast(FIXED['stage-text'], over(FIXED['stage-overlay'], frame))).toBeGreaterThanOrEqual(4.5);
    }
  });
});

/** `--name: value;` declarations of tokens.css, by name. */
function declarations(css: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of css.matchAll(/^\s*--([a-z0-9-]+):\s*([^;]+);/gm)) found.set(m[1] ?? '', (m[2] ?? '').trim());
  return found;
}

describe('tokens.css and palette.ts', () => {
  const css = declarations(tokensCss);

  it('declare the same colours', () => {
    for (const [name, [light, dark]] of Object.entries(THEMED)) expect(css.get(name), name).toBe(`light-dark(${light}, ${dark})`);
    for (const [name, value] of Object.entries(FIXED)) expect(css.get(name), name).toBe(value);
  });

  it('leave no colour out of the contrast checks', () => {
    const colours = [...css].filter(([, v]) => /^(#|rgb|light-dark\((#|rgb))/.test(v)).map(([k]) => k);
    const known = new Set([...Object.keys(THEMED), ...Object.keys(FIXED)]);
    expect(colours.filter((k) => !known.has(k))).toEqual([]);
  });

  it('choose dark by the system unless html[data-theme] says otherwise', () => {
    const flat = tokensCss.replace(/\s+/g, ' ');
    expect(flat).toContain("@media (prefers-color-scheme: dark) { :root:not([data-theme='light']) { color-scheme: dark; } }");
    expect(flat).toContain(":root[data-theme='dark'] { color-scheme: dark; }");
  });
});
