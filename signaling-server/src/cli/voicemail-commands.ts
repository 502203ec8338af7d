/** `parley-server voicemail list|purge USER`: an admin's view of one user's voicemail (never its audio) on the store. */
import { parseArgs } from 'node:util';
import { openStore, type StoreLocation } from '../db/database.js';
import { usernameSchema } from '../protocol/index.js';
import { UserRepository } from '../accounts/users.js';
import { VoicemailRepository } from '../voicemail/voicemail-repository.js';
import { commandArgs, parse, UsageError } from './user-commands.js';

export async function runVoicemailCommand(where: StoreLocation, args: string[]): Promise<number> {
  const { positionals } = commandArgs(() => parseArgs({ args, allowPositionals: true, options: {} }));
  const [command, name, ...extra] = positionals;
  if (command !== 'list' && command !== 'purge') throw new UsageError(command ? `unknown voicemail command "${command}"` : 'voicemail: which command? list or purge');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!name) throw new UsageError(`voicemail ${command}: whose voicemail?`);
  const username = parse(usernameSchema, name, 'username');
  const { db, dialect } = await openStore(where);
  const messages = new VoicemailRepository(db, dialect);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    // Messages left by an account removed without its voicemail are still listed and purged; a name with neither is a mistake.
    const known = (await new UserRepository(db).find(username)) !== undefined;
    const missing = () => {
      process.stderr.write(`parley-server: no user "${username}"\n`);
      return 1;
    };
    if (command === 'purge') {
      const n = await messages.purge(username, false);
      if (n === 0 && !known) return missing();
      out(`deleted ${n} voicemail message${n === 1 ? '' : 's'} of ${username}`);
      return 0;
    }
    const all = await messages.list(username);
    if (all.length === 0 && !known) return missing();
    for (const m of all) {
      out(`${m.id}\t${m.caller}\t${new Date(m.createdAt).toISOString()}\t${(m.durationMs / 1000).toFixed(1)} s\t${m.size} bytes\t${m.heard ? 'heard' : 'unheard'}`);
    }
    if (all.length === 0) out(`no voicemail for ${username}`);
    return 0;
  } finally {
    await db.destroy();
  }
}
