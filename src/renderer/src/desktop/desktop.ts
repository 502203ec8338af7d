/** The desktop app's contract as the renderer sees it (window.parley, typed by src/shared). */
export type { DesktopCommand, DesktopState } from '../../../shared/desktop-state.js';
export type { ParleyDesktopApi } from '../../../shared/ipc.js';

/** The renderer runs as the incoming-call popup when the desktop app opens it with #incoming. */
export const isIncomingPopup = (): boolean => location.hash === '#incoming';
