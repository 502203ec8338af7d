// The full-team watch: a team signs in at once and everyone watches as many
// of the others as the protocol allows (500), the worst case of presence
// fan-out, beside the realistic 29 contacts of the main storm. The figure is
// the time until every client has seen every person it watches online, for
// Parley and for the bare relay's barest presence (baseline-server.mjs)
// with the same lists, each on a server of its own in the same run.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { username } from './contacts.mjs';
import { seedTeam } from './seed.mjs';
import { startBaseline, startParleyNodes } from './servers.mjs';
import { round } from './stats.mjs';
import { connectAll } from './storm.mjs';
import { WATCH_LIMIT } from '../../signaling-server/dist/protocol/index.js';

const SEEN_TIMEOUT_MS = 120_000;

/** The `count` members after `i`, round the team: everyone is watched by as many as they watch. */
const next = (i, size, count) => Array.from({ length: count }, (_, k) => username((i + 1 + k) % size));

/** Both storms of a team of `size`; the bare relay first. */
export async function fullTeamWatch(gen, { size, opts, env, bin, logDir, cleanup }) {
  const team = await seedTeam(size);
  cleanup.push(() => rmSync(team.dataDir, { recursive: true, force: true }));
  const watching = Math.min(WATCH_LIMIT, size - 1);
  const list = team.clients.map((c, i) => ({ ...c, contacts: next(i, size, watching) }));

  const base = await startBaseline({ logFile: path.join(logDir, 'baseline-full-team.log') });
  const baseline = await connectAll(gen, { url: base.url, mode: 'baseline', list, opts, untilSeenMs: SEEN_TIMEOUT_MS });
  await gen.all({ type: 'close' });
  await base.stop();

  const server = await startParleyNodes(1, { dataDir: team.dataDir, env, bin, logFile: path.join(logDir, 'parley-full-team.log') });
  cleanup.push(() => server.stop());
  const parley = await connectAll(gen, { url: server.url, mode: 'parley', list, opts, untilSeenMs: SEEN_TIMEOUT_MS });
  await gen.all({ type: 'close' });
  await server.stop();

  const s = (ms) => round(ms / 1000, 2);
  return {
    clients: size,
    watching,
    seenAllSeconds: s(parley.seenAllMs),
    baselineSeenAllSeconds: s(baseline.seenAllMs),
    ratio: round(parley.seenAllMs / baseline.seenAllMs, 2),
    // Clients that had not seen all their contacts online by the timeout (each an error of the run).
    unseen: parley.unseen + baseline.unseen,
  };
}
