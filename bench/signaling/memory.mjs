// What a server's clients cost in memory: the RSS kept once V8 has collected
// all it can, and what one client more costs once the server is in its
// steady state (the marginal figure, free of what the process pays once).
import { connectAll } from './storm.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * RSS of a server (its nodes summed) a second after a full garbage
 * collection, when V8 has given back what it freed, with where that memory
 * is (`memory`: V8's heap in use and committed, what lives outside it; nodes
 * summed). Read once the timed phases are over: a server whose inspector was
 * opened rings slower after (ring p99 20.7 ms against 9.1 in one pair of runs).
 */
export async function rssAfterCollection(server) {
  const usage = [await server.collectGarbage()].flat();
  await sleep(1000);
  const sum = (f) => usage.reduce((n, u) => n + f(u), 0);
  const memory = {
    heapUsed: sum((u) => u.heapUsed),
    heapTotal: sum((u) => u.heapTotal),
    newSpace: sum((u) => u.spaces.new_space?.size ?? 0),
    external: sum((u) => u.external),
  };
  return { rss: server.rss(), memory };
}

/** Where the kept memory is, per client, in bytes: what `rssAfterCollection` read, less the idle RSS. */
export function keptPerClient({ rss, memory }, rss0, clients) {
  const per = (n) => Math.round(n / Math.max(1, clients));
  return {
    rss: per(rss - rss0),
    // Absolute, over the clients: the idle server's heap was not read (its inspector stays shut until the end).
    heapUsed: per(memory.heapUsed),
    heapCommittedUnused: per(memory.heapTotal - memory.heapUsed),
    newSpace: per(memory.newSpace),
    external: per(memory.external),
    outsideHeap: per(rss - memory.heapTotal - memory.external),
  };
}

/**
 * What one client more costs, in bytes: `list` (clients not yet connected)
 * connects beside the clients already there, and the RSS kept after a
 * collection is read before (`before`, from `rssAfterCollection`) and after.
 * The code the server compiled, its caches and its allocators' arenas are
 * paid by then, so this is what each connection itself keeps.
 */
export async function marginalPerClient(gen, server, { before, settleMs, ...connect }) {
  const conn = await connectAll(gen, { ...connect, append: true });
  await sleep(settleMs);
  const after = await rssAfterCollection(server);
  const per = (n) => Math.round(n / Math.max(1, conn.connected));
  return {
    clients: conn.connected,
    rss: per(after.rss - before.rss),
    heapUsed: per(after.memory.heapUsed - before.memory.heapUsed),
    heapTotal: per(after.memory.heapTotal - before.memory.heapTotal),
    external: per(after.memory.external - before.memory.external),
  };
}
