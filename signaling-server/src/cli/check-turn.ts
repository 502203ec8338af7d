/**
 * `parley-server check-turn`: asks each configured TURN URL for a relay with
 * credentials this server would hand a user (PARLEY_TURN_SECRET, the same
 * TURN REST scheme), and prints one verdict a line. Exit 0 when every URL
 * gave a relay, 1 when any did not, 2 when no TURN is configured.
 */
import { iceGrant } from '../ice-servers.js';
import type { Config } from '../config.js';
import { describeVerdict, probeTurn } from '../network/turn-probe.js';
import { UsageError } from './user-commands.js';

export async function runCheckTurn(config: Config, args: string[], write: (line: string) => void): Promise<number> {
  if (args.length > 0) throw new UsageError(`check-turn takes no arguments (got "${args[0]}")`);
  const grant = iceGrant(config, 'check-turn');
  const turn = grant.iceServers.find((s) => s.username !== undefined);
  if (!turn?.username || turn.credential === undefined) {
    write('No TURN server is configured (PARLEY_TURN_URLS and PARLEY_TURN_SECRET): calls between networks that block each other cannot be relayed.');
    return 2;
  }
  const urls = Array.isArray(turn.urls) ? turn.urls : [turn.urls];
  const verdicts = await Promise.all(urls.map((url) => probeTurn(url, turn.username as string, turn.credential as string)));
  for (const v of verdicts) write(`${v.kind === 'relay' ? 'ok  ' : 'FAIL'} ${describeVerdict(v)}`);
  const failed = verdicts.filter((v) => v.kind !== 'relay').length;
  write(failed === 0 ? `TURN works: ${urls.length} of ${urls.length} URLs gave a relay.` : `TURN does not work: ${failed} of ${urls.length} URLs gave no relay.`);
  return failed === 0 ? 0 : 1;
}
