/**
 * Structured logging (pino). Secrets never reach a log line: anything that
 * could hold a password, a token or SDP/ICE is redacted by path, and the
 * code logs usernames and call ids, not payloads.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

const REDACT = [
  'password',
  'token',
  'secret',
  'sdp',
  'description',
  'candidate',
  'credential',
  '*.password',
  '*.token',
  '*.secret',
  '*.sdp',
  '*.description',
  '*.candidate',
  '*.credential',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    { name: 'parley-server', level, redact: { paths: REDACT, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
