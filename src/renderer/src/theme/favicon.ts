/**
 * The browser tab's icon in web mode: Parley's mark (public/favicon.svg, the
 * handset of build/icon.png on the primary colour), and the same mark with a
 * red dot while a call rings or calls were missed.
 */

/** The mark's SVG; with `dot`, a red dot at its top right. public/favicon.svg is markSvg(false). */
export function markSvg(dot: boolean): string {
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">',
    '<rect x="1" y="1" width="30" height="30" rx="7" fill="#2563eb"/>',
    '<path d="M13.4 10.6 8.6 10.3Q9.4 21.4 21.4 23.3L21 18.3" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>',
    dot ? '<circle cx="25" cy="7" r="6.5" fill="#dc2626" stroke="#fff" stroke-width="2"/>' : '',
    '</svg>',
  ].join('');
}

/** What wants the user's attention in this tab. */
export interface TabBadge {
  ringing: boolean;
  missed: number;
}

/** The icon's address: `plain` (the file index.html links) when nothing waits, else the mark with a dot as a data: URL. */
export function tabBadgeHref(state: TabBadge, plain: string): string {
  if (!state.ringing && state.missed <= 0) return plain;
  return `data:image/svg+xml,${encodeURIComponent(markSvg(true))}`;
}

const PLAIN = './favicon.svg';

/** Shows the badge on the page's icon (the <link rel="icon"> of index.html). */
export function setTabBadge(state: TabBadge, doc: Document = document): void {
  let link = doc.querySelector<HTMLLinkElement>('link[rel~="icon"]');
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'icon';
    link.type = 'image/svg+xml';
    link.setAttribute('href', PLAIN);
    doc.head.append(link);
  }
  // Remember the file's address as index.html wrote it, before the first swap.
  const plain = (link.dataset.plainHref ??= link.getAttribute('href') ?? PLAIN);
  const href = tabBadgeHref(state, plain);
  if (link.getAttribute('href') !== href) link.setAttribute('href', href);
}
