/**
 * The signaling code, asked for before the rest of the first-paint script
 * runs: main.ts imports this module first, so it is evaluated first, and the
 * fetch overlaps the tens of milliseconds the other modules take to evaluate
 * (the protocol's schemas are built then). connection.svelte.ts imports the
 * same module when it connects and is handed this fetch. Not in the desktop
 * app's incoming-call popup, which never connects.
 */
import { isIncomingPopup } from '../desktop/desktop.js';

if (!isIncomingPopup()) import('./signaling.js').catch(() => undefined);
