/**
 * Where each person's tile is on screen, as the stage measures it: whether
 * any of it shows, and its height in device pixels. On the SFU, what each
 * person's video is received at follows it (sfu/layers.ts, `sfu:view`):
 * nothing for a tile off screen or in a hidden window, and the layer that
 * fills a tile of that height otherwise.
 */
import type { Attachment } from 'svelte/attachments';
import { windowShown } from '../../desktop/window-shown.js';

export interface TileView {
  username: string;
  visible: boolean;
  /** Device pixels (CSS pixels × devicePixelRatio). */
  height: number;
}

/** A window minimised, hidden to the tray or in a background tab shows no tile. */
const windowHidden = (): boolean => !windowShown();

export class TileViews {
  /** By tile element: someone may have a tile in the strip and another elsewhere. */
  readonly #tiles = new Map<object, TileView>();

  readonly #hidden: () => boolean;

  constructor(hidden: () => boolean = windowHidden) {
    this.#hidden = hidden;
  }

  set(tile: object, view: TileView): void {
    this.#tiles.set(tile, view);
  }

  delete(tile: object): void {
    this.#tiles.delete(tile);
  }

  /** The window shows (a shared screen is received while it does). */
  showing(): boolean {
    return !this.#hidden();
  }

  /** The tallest of `username`'s tiles that shows now, in device pixels; null when none does. */
  shown(username: string): number | null {
    if (this.#hidden()) return null;
    let tallest: number | null = null;
    for (const t of this.#tiles.values()) {
      if (t.username === username && t.visible) tallest = Math.max(tallest ?? 0, t.height);
    }
    return tallest;
  }
}

/** Measures a person's tile element into `views` while it is on the page. */
export function watchTile(views: TileViews, username: string): Attachment<HTMLElement> {
  return (element) => {
    let visible = false;
    let height = 0;
    const report = () => views.set(element, { username, visible, height: Math.round(height * window.devicePixelRatio) });
    const seen = new IntersectionObserver((entries) => {
      for (const e of entries) visible = e.isIntersecting;
      report();
    });
    const sized = new ResizeObserver((entries) => {
      for (const e of entries) height = e.contentRect.height;
      report();
    });
    seen.observe(element);
    sized.observe(element);
    return () => {
      seen.disconnect();
      sized.disconnect();
      views.delete(element);
    };
  };
}
