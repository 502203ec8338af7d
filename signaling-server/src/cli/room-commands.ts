/**
 * `parley-server room ...`: rooms an admin keeps, so a team's room names
 * cannot be squatted (calls/persistent-rooms.ts). A join code is read like a
 * password (stdin when piped, else a hidden prompt), never from the command
 * line, which anyone on the machine can read.
 */
import { parseArgs } from 'node:util';
import { UserRepository } from '../accounts/users.js';
import { PersistentRooms, RoomExistsError } from '../calls/persistent-rooms.js';
import { openStore, type StoreLocation } from '../db/database.js';
import { roomCodeSchema, roomNameSchema, usernameSchema } from '../protocol/index.js';
import { readPassword } from './read-password.js';
import { commandArgs, parse, UsageError } from './user-commands.js';

export async function runRoomCommand(where: StoreLocation, args: string[]): Promise<number> {
  const options = { owner: { type: 'string' }, code: { type: 'boolean' }, 'no-code': { type: 'boolean' } } as const;
  const { positionals, values } = commandArgs(() => parseArgs({ args, allowPositionals: true, options }));
  const [command, given, ...extra] = positionals;
  if (!command) throw new UsageError('room: which command? add, list, code, owner or remove');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const needName = (): string => {
    if (!given) throw new UsageError(`room ${command}: which room?`);
    return parse(roomNameSchema, given, 'room name');
  };
  const readCode = async (name: string) => parse(roomCodeSchema, await readPassword(`Join code for room ${name}: `), 'join code');

  const { db } = await openStore(where);
  const rooms = new PersistentRooms(db);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const missing = (name: string) => {
    process.stderr.write(`parley-server: no kept room "${name}"\n`);
    return 1;
  };
  const needOwner = async (): Promise<string> => {
    if (values.owner === undefined) throw new UsageError(`room ${command}: whose room? --owner USERNAME`);
    const owner = parse(usernameSchema, values.owner, 'owner');
    if (!(await new UserRepository(db).find(owner))) throw new UsageError(`owner: there is no user "${owner}"`);
    return owner;
  };
  try {
    switch (command) {
      case 'add': {
        const name = needName();
        const owner = await needOwner();
        const code = values.code ? await readCode(name) : null;
        try {
          await rooms.create({ name, owner, code });
        } catch (err) {
          if (err instanceof RoomExistsError) throw new UsageError(err.message);
          throw err;
        }
        out(`kept room ${name}, owned by ${owner}, ${code === null ? 'with no join code' : 'with a join code'}`);
        return 0;
      }
      case 'list': {
        const all = await rooms.list();
        for (const r of all) out(`${r.name}\t${r.owner}\t${r.hasCode ? 'code' : 'no code'}`);
        if (all.length === 0) out('no kept rooms: add one with "parley-server room add NAME --owner USERNAME"');
        return 0;
      }
      case 'code': {
        const name = needName();
        if (!(await rooms.find(name))) return missing(name);
        const code = values['no-code'] ? null : await readCode(name);
        if (!(await rooms.setCode(name, code))) return missing(name);
        out(code === null ? `room ${name} has no join code now` : `room ${name} has a new join code (from its next join on)`);
        return 0;
      }
      case 'owner': {
        const name = needName();
        const owner = await needOwner();
        if (!(await rooms.setOwner(name, owner))) return missing(name);
        out(`room ${name} is owned by ${owner} now`);
        return 0;
      }
      case 'remove': {
        const name = needName();
        if (!(await rooms.remove(name))) return missing(name);
        out(`room ${name} is no longer kept: its name is free`);
        return 0;
      }
      default:
        throw new UsageError(`unknown room command "${command}"`);
    }
  } finally {
    await db.destroy();
  }
}
