/**
 * How a setting is read, whatever it is: its validators, the `--flag`
 * parsing, a secret from the file `<ENV>_FILE` names, the files a setting
 * points at, and the help table. Which settings exist is config.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Setting<K extends string> {
  key: K;
  env: string;
  flag: string;
  help: string;
  default?: string;
}

export const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const urlList = (schemes: string[]) =>
  z
    .string()
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(
      z.array(
        z.string().refine((u) => URL.canParse(u) && schemes.some((s) => u.startsWith(`${s}:`)), {
          message: `each URL must start with ${schemes.map((s) => `${s}:`).join(' or ')}`,
        }),
      ),
    );

/**
 * A secret's value from the file its `<ENV>_FILE` variable names (Docker and
 * systemd credentials): the file's text, less one trailing newline.
 */
export function secretFromFile(setting: Setting<string>, env: NodeJS.ProcessEnv): string | undefined {
  const file = env[`${setting.env}_FILE`];
  if (file === undefined || file.trim() === '') return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`${setting.env}_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Splits `--name value` / `--name=value` flags that name one of `settings`; returns the rest. */
export function splitFlags<K extends string>(argv: readonly string[], settings: readonly Setting<K>[]): { flags: Partial<Record<K, string>>; rest: string[] } {
  const byFlag = new Map(settings.map((s) => [s.flag, s]));
  const flags: Partial<Record<K, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const setting = byFlag.get(name);
    if (!setting) {
      rest.push(arg);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${setting.flag} needs a value`);
    flags[setting.key] = value;
  }
  return { flags, rest };
}

export function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Why a folder cannot be served as the web root, or undefined when it can:
 * it must be a folder holding an index.html file.
 */
export function webRootProblem(dir: string): string | undefined {
  const stat = (p: string) => {
    try {
      return statSync(p, { throwIfNoEntry: false });
    } catch (err) {
      throw new ConfigError(`PARLEY_WEB_ROOT (--web-root): cannot read ${p}: ${(err as Error).message}`);
    }
  };
  const folder = stat(dir);
  if (!folder) return `folder ${dir} does not exist`;
  if (!folder.isDirectory()) return `${dir} is not a folder`;
  if (!stat(path.join(dir, 'index.html'))?.isFile()) return `folder ${dir} has no index.html`;
  return undefined;
}

/** The `--help` table: each setting's flag, variable, help and default. */
export function helpOf(settings: readonly Setting<string>[]): string {
  const width = Math.max(...settings.map((s) => `${s.flag} / ${s.env}`.length));
  return settings
    .map((s) => {
      const name = `${s.flag} / ${s.env}`.padEnd(width);
      const dflt = s.default !== undefined && s.default !== '' ? ` (default ${s.default})` : '';
      return `  ${name}  ${s.help}${dflt}`;
    })
    .join('\n');
}
