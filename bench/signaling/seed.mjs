// Pre-creates a team in a fresh data dir through the server's own modules:
// the schema comes from its migrations, every account gets one real scrypt
// hash of the same password (hashing 10,000 passwords through /api/register
// would take minutes, by design), and tokens are minted with the data dir's
// own token secret, exactly as /api/login would.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../signaling-server/dist/accounts/passwords.js';
import { loadOrCreateSecret, TokenService } from '../../signaling-server/dist/auth/tokens.js';
import { openDatabase } from '../../signaling-server/dist/db/database.js';
import { username } from './contacts.mjs';

const FIRST = ['Ada', 'Ben', 'Chloé', 'Dev', 'Elif', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lea', 'Mo', 'Nia', 'Omar', 'Pia'];
const LAST = ['Abe', 'Berg', 'Costa', 'Diaz', 'Eze', 'Fox', 'Gold', 'Hale', 'Ito', 'Jung', 'Kahn', 'Lund', 'Meyer', 'Nash'];
const displayName = (i) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;

/** A temp data dir holding `size` accounts; returns it with one token per account. */
// The server's default lifetime, as /api/login gives: a shorter one would be
// refreshed at once on every sign-in (token-refresh.ts), which a real sign-in is not.
export async function seedTeam(size, { tokenTtlS = 7 * 24 * 3600 } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
  const db = await openDatabase(dataDir);
  const hash = await hashPassword('bench-password');
  const now = Date.now();
  const users = Array.from({ length: size }, (_, i) => ({ id: randomUUID(), username: username(i), displayName: displayName(i) }));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < size; i += 500) {
      const rows = users.slice(i, i + 500).map((u) => ({
        id: u.id,
        username: u.username,
        display_name: u.displayName,
        password_hash: hash,
        disabled: 0,
        token_version: 0,
        missed_seen_at: 0,
        created_at: now,
      }));
      await trx.insertInto('users').values(rows).execute();
    }
  });
  await db.destroy();
  const tokens = new TokenService(loadOrCreateSecret(dataDir), tokenTtlS);
  const clients = [];
  for (const u of users) {
    const { token } = await tokens.issue({ userId: u.id, username: u.username, version: 0 });
    clients.push({ username: u.username, token });
  }
  return { dataDir, clients };
}
