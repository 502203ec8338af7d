/**
 * Checks of the call stage as a person meets it without seeing it, for the
 * face suite: what a screen reader reads (every tile and control named in
 * words), which icon a control draws, and that icon-only controls carry a
 * name, a tooltip and, where the stage has room, a caption.
 */
import type { IconNode } from 'lucide';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { poll } from './steps.js';

/**
 * The stage's accessibility tree (`section.call`) in words: each tile (a
 * figure) and each button has a name with letters in it, no name holds a
 * decimal number, and nothing anywhere reads a raw value such as a level
 * meter's ("Bob 0.8934932152935158"). `tile` is a tile's name to wait for
 * (the tree is read once it is there); `controls` are buttons that must be
 * named so.
 */
export async function expectStageInWords(page: Page, tile: RegExp, controls: readonly string[]): Promise<void> {
  const stage = page.locator('section.call');
  await expect.poll(() => stage.ariaSnapshot(), poll).toMatch(tile);
  const tree = await stage.ariaSnapshot();
  expect(tree, 'a raw number in the tree').not.toMatch(/\d\.\d{3,}/);
  const unnamed = tree.split('\n').filter((line) => /^\s*- (button|figure|meter|img|video)\b(?! ")/.test(line));
  expect(unnamed, `unnamed in:\n${tree}`).toEqual([]);
  const names = [...tree.matchAll(/- (button|figure|meter|img) "([^"]*)"/g)].map(([, role, name]) => `${role} "${name}"`);
  expect(names.filter((n) => !/\p{L}{2}/u.test(n.slice(n.indexOf('"'))) || /\d\.\d/.test(n)), `names not in words in:\n${tree}`).toEqual([]);
  for (const name of controls) expect(tree, name).toContain(`button "${name}"`);
}

/** The shapes a button's icon draws (Icon.svelte draws a Lucide icon node as SVG children), to compare with an IconNode. */
export function iconShapes(button: Locator): Promise<IconNode> {
  return button.evaluate((el) => {
    const svg = el.querySelector('svg');
    return [...(svg?.children ?? [])].map((shape): IconNode[number] => [shape.tagName, Object.fromEntries([...shape.attributes].map((a) => [a.name, a.value]))]);
  });
}

interface ControlFace {
  name: string;
  title: string;
  /** Text on the button itself (not hidden). */
  text: string;
  /** Its word under it (ControlBar's caption), shown. */
  caption: boolean;
}

/** Each button of the call's control bar: its name, tooltip, own text and whether its caption shows. */
export function controlFaces(page: Page): Promise<ControlFace[]> {
  return page
    .getByRole('toolbar', { name: 'Call controls' })
    .locator('button')
    .evaluateAll((buttons) =>
      buttons.map((b) => {
        const caption = b.closest('.control')?.querySelector('.caption');
        return {
          name: b.getAttribute('aria-label') ?? '',
          title: b.getAttribute('title') ?? '',
          text: (b as HTMLElement).innerText.trim(),
          caption: caption instanceof HTMLElement && caption.checkVisibility() && caption.innerText.trim() !== '',
        };
      }),
    );
}

/**
 * The icon-only buttons of the stage (no word on them a sighted person reads:
 * an icon, perhaps a count) that lack a name in words or a tooltip, as the
 * start of their HTML: empty when each has both.
 */
export function unlabelledIconButtons(page: Page): Promise<string[]> {
  return page.locator('section.call button, [role="toolbar"][aria-label="Call controls"] button').evaluateAll((buttons) =>
    buttons
      .filter((b) => {
        const shown = b.cloneNode(true) as HTMLElement;
        for (const hidden of shown.querySelectorAll('.sr-only')) hidden.remove();
        return (b as HTMLElement).checkVisibility() && !/\p{L}/u.test(shown.textContent);
      })
      .filter((b) => !/\p{L}{2}/u.test(b.getAttribute('aria-label') ?? '') || !(b.getAttribute('title') ?? '').trim())
      .map((b) => b.outerHTML.replace(/\s+/g, ' ').slice(0, 140)),
  );
}
