/* global window, document, requestAnimationFrame, MutationObserver -- runs in the page */
/**
 * In-page instrumentation for the load benchmark, injected before any page
 * script runs (Playwright addInitScript; it must stay self-contained). Times
 * are performance.now(): milliseconds since the navigation started.
 *
 * - visible: the first contact's Call button (the first `button[aria-label^="Call "]`)
 *   is in the DOM, rendered (checkVisibility) and enabled;
 * - painted: the frame that shows it has been painted (a requestAnimationFrame,
 *   then a task after it);
 * - handled (with `click`): from `painted` on, the probe clicks that button
 *   once a frame (a task after each painted frame) until the page's answer
 *   to a click is in the DOM (the app's call panel, `section.call`);
 *   `handled` is then. A page still busy (rendering, running scripts)
 *   delays those tasks, and a button shown before its script is loaded
 *   takes more than one click: so this is when a person could really use it.
 * - complete: all `rows` contacts are listed: their Call buttons are in the
 *   DOM, or a windowed list (which draws only the rows in view) counts them
 *   in its rows' `aria-setsize`;
 * - fcp: first-contentful-paint; longTasks: every task over 50 ms.
 */
export function probe({ click, rows }) {
  const CALL = 'button[aria-label^="Call "]';
  const state = { visible: null, painted: null, clicked: null, clicks: 0, handled: null, complete: null, fcp: null, longTasks: [] };
  window.__benchProbe = state;
  const mark = (name) => {
    state[name] = performance.now();
    performance.mark(`bench:${name}`);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') state.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });

  const listed = () => Math.max(document.querySelectorAll(CALL).length, Number(document.querySelector('li[aria-setsize]')?.getAttribute('aria-setsize') ?? 0));
  let button = null;
  const nextFrame = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));
  const clickUntilHandled = () => {
    if (state.handled !== null) return;
    state.clicks += 1;
    if (state.clicked === null) mark('clicked');
    button.click();
    nextFrame(clickUntilHandled);
  };
  const done = () => (click ? state.handled !== null : state.painted !== null) && state.complete !== null;
  const observer = new MutationObserver(() => {
    if (state.visible === null) {
      const first = document.querySelector(CALL);
      if (first && !first.disabled && first.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
        button = first;
        mark('visible');
        nextFrame(() => {
          mark('painted');
          if (click) clickUntilHandled();
          else if (done()) observer.disconnect();
        });
      }
    }
    if (state.clicked !== null && state.handled === null && document.querySelector('section.call')) mark('handled');
    if (state.complete === null && state.visible !== null && listed() >= rows) mark('complete');
    if (done()) observer.disconnect();
  });
  // Before any page script: observe from the document itself.
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}
