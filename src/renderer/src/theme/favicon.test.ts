import { describe, expect, it } from 'vitest';
import faviconFile from '../../public/favicon.svg?raw';
import { markSvg, setTabBadge, tabBadgeHref } from './favicon.js';

describe('favicon', () => {
  it('is the file index.html links while nothing waits', () => {
    expect(faviconFile.trim()).toBe(markSvg(false));
    expect(tabBadgeHref({ ringing: false, missed: 0 }, './favicon.svg')).toBe('./favicon.svg');
  });

  it('has a red dot while a call rings or calls were missed', () => {
    const dotted = `data:image/svg+xml,${encodeURIComponent(markSvg(true))}`;
    expect(tabBadgeHref({ ringing: true, missed: 0 }, './favicon.svg')).toBe(dotted);
    expect(tabBadgeHref({ ringing: false, missed: 3 }, './favicon.svg')).toBe(dotted);
    expect(markSvg(true)).toContain('<circle');
    expect(markSvg(false)).not.toContain('<circle');
    expect(decodeURIComponent(dotted.slice('data:image/svg+xml,'.length))).toBe(markSvg(true));
  });
});

/** The one <link rel="icon"> of a page, as setTabBadge sees it. */
function fakePage(href: string) {
  const attrs = new Map([['href', href]]);
  const link = {
    dataset: {} as DOMStringMap,
    getAttribute: (name: string) => attrs.get(name) ?? null,
    setAttribute: (name: string, value: string) => attrs.set(name, value),
  };
  const doc = { querySelector: () => link } as unknown as Document;
  return { doc, href: () => attrs.get('href') };
}

describe('setTabBadge', () => {
  it('swaps the icon to the dotted mark and back to the file index.html named', () => {
    const page = fakePage('./favicon.svg');
    setTabBadge({ ringing: true, missed: 0 }, page.doc);
    expect(page.href()).toMatch(/^data:image\/svg\+xml,/);
    setTabBadge({ ringing: false, missed: 0 }, page.doc);
    expect(page.href()).toBe('./favicon.svg');
    setTabBadge({ ringing: false, missed: 2 }, page.doc);
    expect(page.href()).toMatch(/^data:/);
  });
});
