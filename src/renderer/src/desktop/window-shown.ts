/**
 * Whether Parley's window is on screen: not minimised, not hidden to the
 * tray, not a background tab. In a browser the Page Visibility API says so.
 * In the desktop app it always says visible (background throttling is off,
 * so that ringing and the connection keep their timers while hidden), so
 * the main process says instead (`window:shown`).
 */
import type { ParleyDesktopApi } from '../../../shared/ipc.js';

/** What main last said; null in a browser (or before main has said). */
let told: boolean | null = null;

/** Follows what the desktop app's main process says; returns a function that stops. */
export function followDesktopWindow(desktop: Pick<ParleyDesktopApi['desktop'], 'onShown'>): () => void {
  const stop = desktop.onShown((shown) => {
    told = shown;
  });
  return () => {
    stop();
    told = null;
  };
}

export function windowShown(): boolean {
  if (told !== null) return told;
  return typeof document === 'undefined' || document.visibilityState !== 'hidden';
}
