/**
 * Before any test file: the backing stores this run uses (PARLEY_TEST_STORES,
 * see test-stores.ts) are started once, and their addresses provided to the
 * test workers.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';
import { testStores } from './test-stores.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardown: (() => Promise<void>)[] = [];
  if (testStores().has('postgres')) {
    const pg = await startPostgres();
    teardown.push(() => pg.destroy());
    project.provide('postgresAdminUrl', pg.url());
    process.stdout.write(`server suite on PostgreSQL (PARLEY_TEST_STORES): a cluster on 127.0.0.1:${pg.port}\n`);
  }
  return async () => {
    for (const t of teardown) await t();
  };
}
