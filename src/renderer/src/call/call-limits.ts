/** How long the call views and timers wait, and the microphone problem in words: shared by the call modules. */

/** How long the "call ended" view stays before returning to idle. */
export const ENDED_VIEW_MS = 8000;
/** How long a call may take to connect, and to come back after an interruption. */
export const CONNECT_LIMIT_MS = 30_000;
export const RECONNECT_LIMIT_MS = 20_000;

export const MICROPHONE_PROBLEM = 'Parley cannot use the microphone: check the permission and the device in Settings.';
