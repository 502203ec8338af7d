/**
 * Starting a screen share. In a browser, getDisplayMedia() shows the
 * browser's own picker. In the desktop app Electron has none: the app lists
 * the screens and windows (with thumbnails) in its own picker, tells main
 * which one was chosen, and getDisplayMedia() then gets that source (main's
 * display-media handler, src/main/screen-share.ts). The stream goes to
 * CallMedia, which sends it to every peer.
 */
import type { ParleyDesktopApi, ScreenSource } from '../../../../shared/ipc.js';
import type { CallMedia } from './call-media.svelte.js';
import { logger } from '../../lib/log.js';

const log = logger('screen-share');

export const SHARE_PROBLEM = 'Parley cannot share the screen: check the screen recording permission of your system.';

/** Text stays sharp and motion is rare: a modest frame rate leaves bandwidth to the resolution. */
const DISPLAY_CONSTRAINTS: DisplayMediaStreamOptions = { video: { frameRate: { ideal: 15, max: 30 } }, audio: false };

export class ScreenShare {
  /** The desktop picker's choices while it is open; null when closed. */
  sources = $state<ScreenSource[] | null>(null);
  starting = $state(false);
  /**
   * This window was sharing when it reloaded (call-memory.svelte.ts): the
   * share cannot start again by itself (the browser asks for a click), so
   * the stage says so and offers to share again, until this side shares,
   * dismisses it, or the call ends.
   */
  stoppedByReload = $state(false);

  readonly #media: CallMedia;
  readonly #desktop: ParleyDesktopApi['screen'] | undefined;
  readonly #notice: (text: string) => void;

  constructor(
    media: CallMedia,
    desktop: ParleyDesktopApi['screen'] | undefined,
    notice: (text: string) => void,
  ) {
    this.#media = media;
    this.#desktop = desktop;
    this.#notice = notice;
  }

  get sharing(): boolean {
    return this.#media.screen !== null;
  }

  /** Share button: the picker (desktop) or the browser's own prompt. */
  async start(): Promise<void> {
    if (this.starting || this.sharing) return;
    if (!this.#desktop) {
      await this.#capture();
      return;
    }
    this.starting = true;
    try {
      this.sources = await this.#desktop.sources();
    } catch (err) {
      log.warn('listing screens failed', err);
      this.#notice(SHARE_PROBLEM);
    } finally {
      this.starting = false;
    }
  }

  /** Desktop picker: the user picked `id`. */
  async choose(id: string): Promise<void> {
    this.sources = null;
    if (!this.#desktop || !(await this.#desktop.choose(id).catch(() => false))) {
      this.#notice('That screen or window is no longer there.');
      return;
    }
    await this.#capture();
  }

  cancel(): void {
    this.sources = null;
  }

  /** The share was cut off by a reload of this window. */
  stoppedOnReload(): void {
    this.stoppedByReload = true;
  }

  /** The person read that the share stopped and leaves it so. */
  dismissStopped(): void {
    this.stoppedByReload = false;
  }

  stop(): void {
    this.#media.stopShare();
  }

  toggle(): Promise<void> {
    if (this.sharing) {
      this.stop();
      return Promise.resolve();
    }
    return this.start();
  }

  /** Closes the picker when the call ends. */
  reset(): void {
    this.sources = null;
    this.stoppedByReload = false;
  }

  async #capture(): Promise<void> {
    this.starting = true;
    try {
      this.#media.share(await navigator.mediaDevices.getDisplayMedia(DISPLAY_CONSTRAINTS));
      this.stoppedByReload = false;
    } catch (err) {
      // The user closing the browser's prompt is a choice, not a problem.
      if (err instanceof DOMException && err.name === 'NotAllowedError') log.info('screen share cancelled');
      else {
        log.warn('screen share failed', err);
        this.#notice(SHARE_PROBLEM);
      }
    } finally {
      this.starting = false;
    }
  }
}
