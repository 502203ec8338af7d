/**
 * The main process's logger: one per module, each line prefixed with the
 * time, the level and the module (`12:00:00.000 WARN  [ipc] …`). The level
 * comes from PARLEY_LOG_LEVEL (debug | info | warn | error | silent; default
 * info). Never pass a token, a password or SDP to a logger.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

function threshold(): number {
  const wanted = process.env.PARLEY_LOG_LEVEL?.toLowerCase();
  return wanted !== undefined && wanted in RANK ? RANK[wanted as keyof typeof RANK] : RANK.info;
}

function write(level: LogLevel, scope: string, message: string, details: unknown[]): void {
  if (RANK[level] < threshold()) return;
  const line = `${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${scope}] ${message}`;
  // eslint-disable-next-line no-console -- this module is the one place the main process writes to the terminal
  const sink = level === 'error' ? console.error : level === 'warn' ? console.warn : console.log;
  sink(line, ...details);
}

export function createLogger(scope: string): Logger {
  return {
    debug: (message, ...details) => write('debug', scope, message, details),
    info: (message, ...details) => write('info', scope, message, details),
    warn: (message, ...details) => write('warn', scope, message, details),
    error: (message, ...details) => write('error', scope, message, details),
  };
}
