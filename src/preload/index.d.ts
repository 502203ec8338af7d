/**
 * `window.parley`, as the preload exposes it. Missing in web mode (the
 * renderer served by the signaling server to a plain browser).
 */
import type { ParleyDesktopApi } from '../shared/ipc.js';

declare global {
  interface Window {
    parley?: ParleyDesktopApi;
  }
}

export {};
