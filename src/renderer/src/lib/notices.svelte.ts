/**
 * What the app tells the user outside the screens' own text: one notice at a
 * time (a sentence with a Dismiss button) and an aria-live announcement for
 * screen readers. A notice names its cause, so it goes by itself when the
 * cause is gone: the connection is back, or the call it was about ended
 * (`resolved('call')`, from the controller's one teardown). An announcement
 * may name its cause too, and goes with it the same way (a screen reader
 * user browsing the live region finds no "Connection lost" once it is back);
 * any announcement is cleared once read, so the region never keeps old words.
 */
export type NoticeCause = 'connection' | 'call' | 'device' | 'other';

/** How long an announcement stays in the live region: long enough to be read, then gone. */
export const ANNOUNCEMENT_MS = 8000;

export class Notices {
  notice = $state<string | null>(null);
  /** Read by screen readers through an aria-live region; empty once read. */
  announcement = $state('');
  #cause: NoticeCause | null = null;
  #announcedFor: NoticeCause | null = null;
  #announced: ReturnType<typeof setTimeout> | undefined;

  show(text: string, cause: NoticeCause = 'other'): void {
    this.notice = text;
    this.#cause = cause;
  }

  dismiss(): void {
    this.notice = null;
    this.#cause = null;
  }

  /** Clears the notice and the announcement if `cause` put them there. */
  resolved(cause: NoticeCause): void {
    if (this.#cause === cause) this.dismiss();
    if (this.#announcedFor === cause) this.#silence();
  }

  /** Clears the notice and the announcement if either is still `text`: what it said is no longer so. */
  withdraw(text: string): void {
    if (this.notice === text) this.dismiss();
    if (this.announcement.replace(/\u00a0$/, '') === text) this.#silence();
  }

  /** `cause`: what the words are about, so they go when it does (`resolved`); without one they only wait to be read. */
  announce(text: string, cause: NoticeCause | null = null): void {
    // Reassigning the same text would not be read again.
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
    this.#announcedFor = cause;
    clearTimeout(this.#announced);
    this.#announced = setTimeout(() => this.#silence(), ANNOUNCEMENT_MS);
  }

  #silence(): void {
    clearTimeout(this.#announced);
    this.announcement = '';
    this.#announcedFor = null;
  }
}
