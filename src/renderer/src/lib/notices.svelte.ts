/**
 * What the app tells the user outside the screens' own text: one notice at a
 * time (a sentence with a Dismiss button) and an aria-live announcement for
 * screen readers. A notice may name its cause, so it clears by itself when
 * the cause is gone (the connection is back, say).
 */
export type NoticeCause = 'connection' | 'call' | 'device' | 'other';

export class Notices {
  notice = $state<string | null>(null);
  /** Read by screen readers through an aria-live region. */
  announcement = $state('');
  private cause: NoticeCause | null = null;

  show(text: string, cause: NoticeCause = 'other'): void {
    this.notice = text;
    this.cause = cause;
  }

  dismiss(): void {
    this.notice = null;
    this.cause = null;
  }

  /** Clears the notice if `cause` put it there. */
  resolved(cause: NoticeCause): void {
    if (this.cause === cause) this.dismiss();
  }

  announce(text: string): void {
    // Reassigning the same text would not be read again.
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }
}
