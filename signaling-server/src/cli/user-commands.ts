/** `parley-server user ...`: account administration on the store (the data dir's SQLite file or PostgreSQL). */
import { parseArgs } from 'node:util';
import { WeakPasswordError } from '../accounts/password-policy.js';
import { DisplayNameTakenError, UsernameTakenError, UserRepository } from '../accounts/users.js';
import { openStore, type StoreLocation } from '../db/database.js';
import { displayNameSchema, passwordSchema, usernameSchema } from '../protocol/index.js';
import { VoicemailRepository } from '../voicemail/voicemail-repository.js';
import { readPassword } from './read-password.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** Refusals by the account rules, told as usage errors (exit 2) like the schema's. */
async function refusing<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof UsernameTakenError) throw new UsageError(err.message);
    if (err instanceof DisplayNameTakenError) throw new UsageError(`display name: ${err.message}`);
    if (err instanceof WeakPasswordError) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
}

/** Parses an admin command's arguments (`node:util` parseArgs); a malformed one is a usage error (exit 2). */
export function commandArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message);
    throw err;
  }
}

const USER_COMMANDS = ['add', 'list', 'rename', 'passwd', 'disable', 'enable', 'remove'] as const;
type UserCommand = (typeof USER_COMMANDS)[number];
const isUserCommand = (command: string): command is UserCommand => (USER_COMMANDS as readonly string[]).includes(command);

/** The display name `add` gives (the username unless told) or `rename` sets; checked before the store is opened. */
function displayNameOf(command: string, username: string, given: string | undefined): string {
  if (command === 'add') return parse(displayNameSchema, given ?? username, 'display name');
  if (command !== 'rename') return '';
  if (given === undefined) throw new UsageError('user rename: the new name? --display-name "Full Name"');
  return parse(displayNameSchema, given, 'display name');
}

export async function runUserCommand(where: StoreLocation, args: string[]): Promise<number> {
  const { positionals, values } = commandArgs(() => parseArgs({ args, allowPositionals: true, options: { 'display-name': { type: 'string' } } }));
  const [command, name, ...extra] = positionals;
  if (!command) throw new UsageError(`user: which command? ${USER_COMMANDS.slice(0, -1).join(', ')} or ${USER_COMMANDS.at(-1)}`);
  if (!isUserCommand(command)) throw new UsageError(`unknown user command "${command}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // A usage error is told before the store is opened: it needs no database, nor one that answers.
  if (command !== 'list' && !name) throw new UsageError(`user ${command}: which user?`);
  const username = command === 'list' ? '' : parse(usernameSchema, name, 'username');
  const displayName = displayNameOf(command, username, values['display-name']);

  const { db, dialect } = await openStore(where);
  const users = new UserRepository(db);
  // A disabled or removed account's voicemail goes with it: nobody could hear it, and a re-created username must not inherit it.
  const purged = async () => {
    const n = await new VoicemailRepository(db, dialect).purge(username, true);
    return n > 0 ? ` and ${n} voicemail message${n === 1 ? '' : 's'} deleted` : '';
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const missing = () => {
    process.stderr.write(`parley-server: no user "${username}"\n`);
    return 1;
  };
  try {
    switch (command) {
      case 'add': {
        const password = parse(passwordSchema, await readPassword(`Password for ${username}: `), 'password');
        await refusing('password', () => users.create({ username, displayName, password }));
        out(`added ${username} (${displayName})`);
        return 0;
      }
      case 'list': {
        const all = await users.list({ includeDisabled: true });
        for (const u of all) out(`${u.username}\t${u.displayName}\t${u.disabled ? 'disabled' : 'active'}`);
        if (all.length === 0) out('no users yet: add one with "parley-server user add NAME"');
        return 0;
      }
      case 'rename': {
        if (!(await refusing('display name', () => users.setDisplayName(username, displayName)))) return missing();
        out(`renamed ${username} to ${displayName}`);
        return 0;
      }
      case 'passwd': {
        if (!(await users.find(username))) return missing();
        const password = parse(passwordSchema, await readPassword(`New password for ${username}: `), 'password');
        // Removed meanwhile (while the password was typed, or by a concurrent command).
        if (!(await refusing('password', () => users.setPassword(username, password)))) return missing();
        out(`password changed for ${username}; their devices are signed out`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (!(await users.setDisabled(username, command === 'disable'))) return missing();
        out(command === 'disable' ? `disabled ${username}; their devices are signed out${await purged()}` : `enabled ${username}`);
        return 0;
      }
      case 'remove': {
        if (!(await users.remove(username))) return missing();
        out(`removed ${username}; their devices are signed out${await purged()}`);
        return 0;
      }
    }
  } finally {
    await db.destroy();
  }
}
