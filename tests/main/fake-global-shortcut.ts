/** System-wide hotkeys: which ones Parley holds, which other apps hold, and the user pressing them. */

export const globalShortcut = {
  /** Accelerators another application holds: register() returns false for them. */
  taken: new Set<string>(),
  registered: new Map<string, () => void>(),
  /** Every register() call and its result, in order. */
  attempts: [] as { accelerator: string; result: boolean }[],
  register(accelerator: string, callback: () => void): boolean {
    if (!/^[^\s+]+(\+[^\s+]+)*$/.test(accelerator)) throw new TypeError(`conversion failure from ${accelerator}`);
    const result = !this.taken.has(accelerator) && !this.registered.has(accelerator);
    this.attempts.push({ accelerator, result });
    if (result) this.registered.set(accelerator, callback);
    return result;
  },
  unregister(accelerator: string): void {
    this.registered.delete(accelerator);
  },
  unregisterAll(): void {
    this.registered.clear();
  },
  isRegistered(accelerator: string): boolean {
    return this.registered.has(accelerator);
  },
  /** The user presses a global shortcut. */
  press(accelerator: string): void {
    const callback = this.registered.get(accelerator);
    if (callback === undefined) throw new Error(`${accelerator} is not registered`);
    callback();
  },
};

export function resetGlobalShortcut(): void {
  globalShortcut.taken.clear();
  globalShortcut.registered.clear();
  globalShortcut.attempts.length = 0;
}
