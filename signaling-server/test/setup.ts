/**
 * Around every test file (setupFiles: this suite's vitest.config.ts, and the
 * browser tests' and benchmarks' that use the server's test helpers): what
 * each test left open is closed and the helpers reset after it, and after
 * the file (cleanup.ts).
 */
import { afterAll, afterEach } from 'vitest';
import { endFile, endTest } from './cleanup.js';

afterEach(endTest);
afterAll(endFile);
