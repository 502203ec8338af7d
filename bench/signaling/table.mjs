// bench:signaling's targets, and the table it prints of a run's figures against them.
import { round } from './stats.mjs';

export const TARGETS = {
  clients: 10_000,
  loginStormSeconds: 15,
  timeToRingP99Ms: 15,
  timeToRingAtSetupsPerSecond: 100,
  relayRatioP50: 1.3,
  rssBytesPerClient: 20 * 1024,
  rssKeptRatio: 1.2,
  startToListeningMs: 300,
  fullTeamRatio: 3,
};


/** Prints the run's figures, each beside its target and the bare relay's. */
export function printTable(r) {
  const kb = (b) => `${round(b / 1024, 1)} KB`;
  const p = (o, ks) => ks.map((k) => `${k} ${o[k]}`).join(' / ');
  const rows = [
    ['clients', String(r.clients), `≥ ${TARGETS.clients}`, ''],
    ['loginStormSeconds', String(r.loginStormSeconds), `< ${TARGETS.loginStormSeconds}`, `bare relay ${r.baselineLoginStormSeconds}`],
    [
      `timeToRingMs (${r.setupsPerSecond} setups/s)`,
      p(r.timeToRingMs, ['p50', 'p95', 'p99']),
      `p99 < ${TARGETS.timeToRingP99Ms} at ${TARGETS.timeToRingAtSetupsPerSecond}/s`,
      '',
    ],
    ['setupMs', p(r.setupMs, ['p50', 'p95', 'p99']), '', ''],
    ['relayMs', p(r.relayMs, ['p50', 'p99']), '', `bare relay ${p(r.baselineRelayMs, ['p50', 'p99'])}`],
    ['relayRatioP50', String(r.relayRatioP50), `≤ ${TARGETS.relayRatioP50}`, ''],
    ['rssBytesPerClient', kb(r.rssBytesPerClient.parley), `< ${kb(TARGETS.rssBytesPerClient)}`, `bare relay ${kb(r.rssBytesPerClient.baseline)}`],
    [
      'rssKeptBytesPerClient (after a collection)',
      kb(r.rssKeptBytesPerClient.parley),
      `≤ ${TARGETS.rssKeptRatio}× bare relay`,
      `bare relay ${kb(r.rssKeptBytesPerClient.baseline)} (${round(r.rssKeptBytesPerClient.parley / r.rssKeptBytesPerClient.baseline, 2)}×)`,
    ],
    ...(r.rssMarginalBytesPerClient
      ? [[
          // V8's heap, not the RSS: the RSS of a few thousand more clients depends on how many free pages the process still held.
          `heap of one client more (${r.rssMarginalBytesPerClient.parley.clients} more)`,
          kb(r.rssMarginalBytesPerClient.parley.heapUsed),
          'published',
          `bare relay ${kb(r.rssMarginalBytesPerClient.baseline.heapUsed)} (${round(r.rssMarginalBytesPerClient.parley.heapUsed / r.rssMarginalBytesPerClient.baseline.heapUsed, 2)}×)`,
        ]]
      : []),
    ...r.presence.map((x) => [
      `presenceMessagesPerChange (team ${x.teamSize})`,
      String(x.messagesPerChange),
      'grows with watchers',
      `watchers + own device ${x.expectedPerChange}; team-wide ${x.teamSize}`,
    ]),
    ...(r.fullTeamWatch
      ? [[
          `fullTeamSeenAllSeconds (${r.fullTeamWatch.clients} watching ${r.fullTeamWatch.watching})`,
          String(r.fullTeamWatch.seenAllSeconds),
          `≤ ${TARGETS.fullTeamRatio}× bare`,
          `bare relay ${r.fullTeamWatch.baselineSeenAllSeconds} (×${r.fullTeamWatch.ratio})`,
        ]]
      : []),
    ['startToListeningMs (p50)', String(r.startToListeningMs.parley.p50), `≤ ${TARGETS.startToListeningMs}`, `bare relay ${r.startToListeningMs.baseline.p50} (×${r.startToListeningMs.ratioP50})`],
    ['errors', String(r.errors), '0', ''],
  ];
  const head = ['figure', 'value', 'target', 'baseline'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}
