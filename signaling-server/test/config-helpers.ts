/** Assertions on refused settings, shared by the config tests. */
import { expect } from 'vitest';
import { ConfigError } from '../src/config.js';

/** The ConfigError that `fn` throws; fails the test when it throws nothing or something else. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but the settings were accepted');
}

/** Asserts a refusal that names the environment variable and the flag of the setting. */
export function expectRefused(fn: () => unknown, env: string, flag: string): ConfigError {
  const err = configError(fn);
  expect(err.message).toContain(env);
  expect(err.message).toContain(flag);
  return err;
}
