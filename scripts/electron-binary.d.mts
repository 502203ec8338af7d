/** The installed Electron binary's path, or null when it was never downloaded. */
export function electronBinary(): string | null;
/** Runs Electron's own installer once; true when a binary is there afterwards. */
export function tryInstallElectron(): Promise<boolean>;
