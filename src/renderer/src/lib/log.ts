/** A small prefixed logger for the renderer: one per module. */
export interface Log {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function logger(prefix: string): Log {
  const tag = `[parley:${prefix}]`;
  return {
    // eslint-disable-next-line no-console -- the renderer's one sink for logs (devtools console)
    info: (...args) => console.info(tag, ...args),
    // eslint-disable-next-line no-console -- see above
    warn: (...args) => console.warn(tag, ...args),
    // eslint-disable-next-line no-console -- see above
    error: (...args) => console.error(tag, ...args),
  };
}
