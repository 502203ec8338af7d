/**
 * Checks of how the app looks, for the browser suites: nothing wider than
 * the window, every call control on screen, no serious accessibility
 * violation (axe-core), and a screenshot of each look. `eachLook` puts the
 * same pages, in the same state, through the six looks (three window sizes,
 * light and dark) without reloading them; `checkScreen` runs all three checks
 * in every look and reports every problem of every look at once.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from './harness.js';

export const SCREENS = path.join(ARTIFACTS, 'screens');

export interface Look {
  width: number;
  height: number;
  scheme: 'light' | 'dark';
  /** `<width>-<scheme>`, as in screenshot names. */
  label: string;
}

/** A narrow phone, a wide phone (both one column) and a laptop window, each light and dark. */
export const LOOKS: readonly Look[] = [
  { width: 360, height: 640 },
  { width: 420, height: 760 },
  { width: 1280, height: 800 },
].flatMap(({ width, height }) =>
  (['light', 'dark'] as const).map((scheme) => ({ width, height, scheme, label: `${width}-${scheme}` })),
);

/** Two animation frames: the layout and paint after a resize or a colour scheme change. */
function settle(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Runs `fn` once per look with every page in that look (window size and
 * `prefers-color-scheme`), no reload in between. A look whose `fn` throws
 * does not stop the others: all failures are thrown together at the end,
 * each under its look's label. The pages get their size back afterwards and
 * the colour scheme goes back to the browser's.
 */
export async function eachLook(pages: Page | Page[], fn: (label: string, look: Look) => Promise<void>): Promise<void> {
  const list = Array.isArray(pages) ? pages : [pages];
  const sizes = list.map((p) => p.viewportSize());
  const failures: string[] = [];
  try {
    for (const look of LOOKS) {
      for (const p of list) {
        await p.setViewportSize({ width: look.width, height: look.height });
        await p.emulateMedia({ colorScheme: look.scheme });
        await settle(p);
      }
      try {
        await fn(look.label, look);
      } catch (err) {
        failures.push(`[${look.label}] ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    for (const [i, p] of list.entries()) {
      if (p.isClosed()) continue;
      const size = sizes[i];
      if (size) await p.setViewportSize(size);
      await p.emulateMedia({ colorScheme: null });
    }
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${LOOKS.length} looks failed:\n${failures.join('\n')}`);
}

/** A full-viewport screenshot, test-results/e2e/screens/<name>.png. */
export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const file = path.join(SCREENS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/**
 * The layout fits the window:
 * - the page does not scroll sideways (the document is no wider than the window);
 * - no element sticks out past the window's right or left edge (which would
 *   scroll, or be cut off where html or body hide their overflow), unless an
 *   element of the page that scrolls or clips (a horizontal strip, a
 *   text-overflow ellipsis) holds it;
 * - every visible button of the call control bar (`[role=toolbar][aria-label="Call controls"]`)
 *   and of the call (`section.call`) lies wholly inside the window. A button in a
 *   list that scrolls inside the call counts as the list: the list must be inside.
 * Throws one error naming each offending element (accessible name, start of its HTML).
 */
export async function checkLayout(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const slack = 1; // sub-pixel rounding
    const root = document.documentElement;
    const out: string[] = [];

    const describe = (el: Element): string => {
      const text = el instanceof HTMLElement ? el.innerText : el.textContent;
      const name = (el.getAttribute('aria-label') ?? text).replace(/\s+/g, ' ').trim().slice(0, 60);
      const html = el.outerHTML.replace(/\s+/g, ' ').slice(0, 140);
      return `${name ? `"${name}" ` : ''}${html}`;
    };
    const box = (r: DOMRect) => `x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)}`;
    const shown = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return false;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true })) return false;
      const style = getComputedStyle(el);
      // Visually hidden text (.sr-only): clipped to nothing on purpose.
      return !(style.getPropertyValue('clip') === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)');
    };
    /** The nearest ancestor below body that scrolls or clips along `axis`, if any. */
    const clipper = (el: Element, axis: 'x' | 'y'): Element | null => {
      for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
        const s = getComputedStyle(a);
        const o = axis === 'x' ? s.overflowX : s.overflowY;
        if (o !== 'visible') return a;
      }
      return null;
    };

    if (root.scrollWidth > vw) out.push(`the page scrolls sideways: it is ${root.scrollWidth} px wide in a ${vw} px window`);
    if (document.body.scrollWidth > vw + slack && getComputedStyle(document.body).overflowX !== 'visible') {
      out.push(`the body scrolls or cuts off sideways: it is ${document.body.scrollWidth} px wide in a ${vw} px window`);
    }

    // Elements past the left or right edge that nothing inside the page holds: report the outermost of each.
    const sticking = new Set<Element>();
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= vw + slack && r.left >= -slack) continue;
      if (getComputedStyle(el).position === 'fixed' && (r.left >= vw || r.right <= 0)) continue; // a drawer parked off screen scrolls nothing
      if (!shown(el) || clipper(el, 'x')) continue;
      sticking.add(el);
    }
    for (const el of sticking) {
      if (el.parentElement && sticking.has(el.parentElement)) continue;
      out.push(`sticks out of the ${vw} px window (${box(el.getBoundingClientRect())}): ${describe(el)}`);
    }

    // Every call control wholly on screen.
    const controls = new Set<Element>();
    for (const b of document.querySelectorAll('[role="toolbar"][aria-label="Call controls"] button, section.call button')) {
      if (!shown(b)) continue;
      const call = b.closest('section.call, [role="toolbar"]');
      // A button in a list that scrolls inside the call: the list is what must be on screen.
      let unit: Element = b;
      for (let a = b.parentElement; a && a !== call; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (/(auto|scroll)/.test(s.overflowX + s.overflowY)) unit = a;
      }
      controls.add(unit);
    }
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.left < -slack || r.top < -slack || r.right > vw + slack || r.bottom > vh + slack) {
        out.push(`call control not wholly in the ${vw}×${vh} window (${box(r)}): ${describe(el)}`);
      }
    }
    return out;
  });
  if (problems.length > 0) throw new Error(`layout: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core over the whole page and throws on any violation of impact
 * serious or critical, listing rule, impact, help text and the offending
 * elements. `context` names the screen and look in the message.
 *
 * How axe gets in: the app's Content-Security-Policy (`script-src 'self'`,
 * sent by the server and in index.html's meta tag) blocks what
 * `page.addScriptTag({ path })` and `addScriptTag({ content })` insert (both
 * become inline scripts: "Executing inline script violates the following
 * Content Security Policy directive"), so the source is run with
 * `page.evaluate(source)` instead: DevTools evaluation is not subject to the
 * page's CSP, and axe itself needs no eval. No `bypassCSP` context is needed,
 * so the app under test runs with its real policy.
 */
export async function axeScan(page: Page, context: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }, AXE_TAGS);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length === 0) return;
  const lines = serious.map((v) => {
    const targets = v.nodes.slice(0, 6).map((n) => {
      const summary = (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160);
      return `      ${JSON.stringify(n.target)}${summary ? ` (${summary})` : ''}`;
    });
    const more = v.nodes.length > 6 ? [`      … and ${v.nodes.length - 6} more`] : [];
    return [`  ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`, ...targets, ...more].join('\n');
  });
  throw new Error(`axe (${context}): ${serious.length} serious or critical violation(s)\n${lines.join('\n')}`);
}

/**
 * The colours the page paints: each visible element's text and background
 * colour, in document order. Two looks with the same paint show the same
 * colours (so a dark look equal to the light one does not follow the scheme).
 */
export function paint(page: Page): Promise<string> {
  return page.evaluate(() =>
    [document.documentElement, ...document.body.querySelectorAll('*')]
      .filter((el) => el.checkVisibility({ visibilityProperty: true }))
      .map((el) => {
        const s = getComputedStyle(el);
        return `${s.color}/${s.backgroundColor}`;
      })
      .join(' '),
  );
}

/**
 * A screen in all six looks: for each look, a screenshot of each page
 * (`<screen>-<width>-<scheme>`, or `<screen>-<name>-<width>-<scheme>` for
 * several pages), then the layout check and the axe scan, and in a dark look
 * that its colours differ from the light look's at the same size. Every problem of
 * every look and page is collected and thrown at the end.
 */
export async function checkScreen(screen: string, pages: Page | Page[] | Record<string, Page>): Promise<void> {
  const named: [string, Page][] = Array.isArray(pages)
    ? pages.map((p, i) => [String(i + 1), p])
    : 'screenshot' in pages
      ? [['', pages as Page]]
      : Object.entries(pages);
  /** Each page's paint in the light look of each width, to compare the dark look with. */
  const light = new Map<string, string>();
  await eachLook(
    named.map(([, p]) => p),
    async (label, look) => {
      const problems: string[] = [];
      for (const [who, p] of named) {
        const tag = who ? `${screen}-${who}` : screen;
        await shoot(p, `${tag}-${label}`);
        const key = `${who}@${look.width}`;
        if (look.scheme === 'light') light.set(key, await paint(p));
        else if (light.get(key) === (await paint(p))) problems.push(`${who ? `${who}: ` : ''}dark looks the same as light: the colours do not follow prefers-color-scheme`);
        for (const check of [() => checkLayout(p), () => axeScan(p, `${tag} ${label}`)]) {
          try {
            await check();
          } catch (err) {
            problems.push(`${who ? `${who}: ` : ''}${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      if (problems.length > 0) throw new Error(problems.join('\n'));
    },
  );
}
