/**
 * The command line of a benchmark script: its options parsed, --help printed
 * (exit 0), and a malformed command line refused with the usage (exit 2),
 * before anything is built or measured.
 */
import { parseArgs } from 'node:util';

/** `options` as node:util's parseArgs takes them; `-h`/`--help` is added. */
export function benchOptions(options, usage) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (err) {
    refuse(`${err.message}\n\n${usage}`);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** Ends the script on a bad option, saying why. */
export function refuse(message) {
  console.error(message);
  process.exit(2);
}

/** A whole number given to `--name` (at least `min`), or `undefined` when not given; refuses anything else. */
export function wholeNumber(values, name, min = 0) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) refuse(`--${name} must be a whole number${min > 0 ? ` above ${min - 1}` : ''}, not "${raw}"`);
  return Number(raw);
}
