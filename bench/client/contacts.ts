// The rest of a contact list for the client benchmarks, written straight into the server's database
// (the API allows 20 registrations an hour per address); these users never sign in.
import { randomUUID } from 'node:crypto';
import type { World } from '../../tests/e2e/harness.js';

/** Adds `count` users named contact000, contact001, … ("Contact 1", "Contact 2", …). */
export async function seedContacts(world: World, count: number): Promise<void> {
  if (count <= 0) return;
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    username: `contact${String(i).padStart(3, '0')}`,
    display_name: `Contact ${i + 1}`,
    password_hash: 'none',
    disabled: 0,
    token_version: 0,
    missed_seen_at: 0,
    created_at: now,
  }));
  await world.server.db.insertInto('users').values(rows).execute();
}
