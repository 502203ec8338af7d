/**
 * The stage's "Full screen" toggle: the Fullscreen API on the stage element
 * where the browser allows it, else (refused, or no API) the stage just
 * covers the window until toggled back or Escape.
 */
import { logger } from '../../lib/log.js';

const log = logger('stage');

export class StageFullscreen {
  /** The stage is the document's fullscreen element. */
  native = $state(false);
  /** The fallback: the stage covers the window. */
  expanded = $state(false);

  readonly #element: () => HTMLElement | undefined;

  constructor(element: () => HTMLElement | undefined) {
    this.#element = element;
  }

  get on(): boolean {
    return this.native || this.expanded;
  }

  async toggle(): Promise<void> {
    if (this.on) {
      await this.exit();
      return;
    }
    const el = this.#element();
    if (!el) return;
    if (document.fullscreenEnabled) {
      try {
        await el.requestFullscreen({ navigationUI: 'hide' });
        return;
      } catch (err) {
        log.info('fullscreen refused, covering the window instead', err);
      }
    }
    this.expanded = true;
  }

  async exit(): Promise<void> {
    this.expanded = false;
    if (document.fullscreenElement && document.fullscreenElement === this.#element()) {
      await document.exitFullscreen().catch((err: unknown) => log.info('exit fullscreen failed', err));
    }
  }

  /** Follows the document's fullscreen state (the user may leave it with Escape or F11); returns the unsubscribe. */
  watch(): () => void {
    const changed = () => {
      this.native = document.fullscreenElement !== null && document.fullscreenElement === this.#element();
    };
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }
}
