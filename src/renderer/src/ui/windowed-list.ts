/** The element that scrolls `element`: its nearest ancestor that scrolls vertically, or the page. */
export function nearestScroller(element: Element): Element {
  for (let e = element.parentElement; e; e = e.parentElement) {
    const overflow = getComputedStyle(e).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return e;
  }
  return document.scrollingElement ?? document.documentElement;
}

/** How far `element`'s top is from the top of `scroller`'s content, whatever the scroll position. */
export function offsetWithin(element: Element, scroller: Element): number {
  const top = element.getBoundingClientRect().top;
  if (scroller === document.scrollingElement) return top + window.scrollY;
  return top - scroller.getBoundingClientRect().top + scroller.scrollTop;
}

/** What a windowed list's row puts on its `<li>`, attribute by attribute: its index (for measuring) and its place in the whole list. */
export interface RowPosition {
  'data-index': number;
  'aria-posinset': number;
  'aria-setsize': number;
}

/** How a windowed list's owner scrolls it: to a row not drawn yet, for the arrow keys. */
export interface ListScroll {
  scrollTo: (index: number) => void;
}
