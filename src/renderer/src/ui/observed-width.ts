/**
 * An element's width (clientWidth) as layout gives it, for a component that
 * lays out by its own size. Svelte's bind:clientWidth reads the width as the
 * element mounts, which lays the page out there and then, in the middle of
 * rendering (a ring's first frame paid about 5 ms for it); a ResizeObserver
 * is told once layout has happened anyway, before the frame is painted.
 */
import type { Attachment } from 'svelte/attachments';

export function observedWidth(set: (width: number) => void): Attachment<HTMLElement> {
  return (element) => {
    const observer = new ResizeObserver(() => set(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  };
}
