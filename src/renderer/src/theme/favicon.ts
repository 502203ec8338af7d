/**
 * The tab's icon in web mode: Parley's mark (Lucide's phone on the primary
 * colour), with a red dot while a call rings or calls were missed. Made here
 * as a data: URL, one source for both states.
 */
const PHONE =
  'M13.832 16.568a1 1 0 0 0 1.213-.303l.355-.465A2 2 0 0 1 17 15h3a2 2 0 0 1 2 2v3a2 2 0 0 1-2 2A18 18 0 0 1 2 4a2 2 0 0 1 2-2h3a2 2 0 0 1 2 2v3a2 2 0 0 1-.8 1.6l-.468.351a1 1 0 0 0-.292 1.233 14 14 0 0 0 6.392 6.384';

export function faviconSvg(alert: boolean): string {
  const dot = alert ? '<circle cx="26" cy="6" r="5.5" fill="#dc2626" stroke="#fff" stroke-width="1.5"/>' : '';
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" rx="8" fill="#4f46e5"/>' +
    `<g transform="translate(6 6) scale(0.8333)" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"><path d="${PHONE}"/></g>` +
    `${dot}</svg>`
  );
}

export function faviconHref(alert: boolean): string {
  return `data:image/svg+xml,${encodeURIComponent(faviconSvg(alert))}`;
}

/** Sets the page's icon; `alert` adds the red dot. */
export function setFavicon(alert: boolean, doc: Document = document): void {
  let link = doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'icon';
    doc.head.append(link);
  }
  link.type = 'image/svg+xml';
  const href = faviconHref(alert);
  if (link.getAttribute('href') !== href) link.href = href;
}
