/**
 * The bad networks of the lab (netns.ts's `Lab.shape`), by name: each is one
 * Linux queueing discipline put on the egress of a side's network card, so
 * it shapes what that side sends (its uplink), as a hotel Wi-Fi or a train's
 * modem does. Issue 39's conditions:
 *
 * - `clean`: nothing added (the veth pair's own sub-millisecond delay).
 * - `loss5`, `loss10`, `loss20`: independent random loss (netem `loss random`),
 *   each packet dropped with that probability.
 * - `burst5`: bursty loss from netem's Gilbert-Elliott model (`loss gemodel
 *   p r 1-h 1-k`): two states, Good and Bad; each packet moves Good→Bad with
 *   probability p and Bad→Good with r; a packet is lost with probability
 *   1-h in Bad and 1-k in Good. Here p = 1.3 %, r = 25 %, 1-h = 100 %,
 *   1-k = 0: the link is Bad p/(p+r) = 4.9 % of the time, so about 5 % of
 *   packets are lost on average, in runs averaging 1/r = 4 packets (80 ms of
 *   20 ms audio packets), as Wi-Fi fades and handovers drop them.
 * - `jitter30`: 50 ms delay varying by 30 ms (netem `delay 50ms 30ms`, normal
 *   distribution), so packets also arrive out of order, as on a busy link.
 * - `uplink100`: 100 kbit/s, with a 200 ms queue (a token bucket, `tbf`),
 *   as a thin or shared uplink.
 *
 * Reproducible: the same parameters every run. netem draws its losses from
 * the kernel's random numbers; iproute2 6.3 and later take a `seed`, which
 * `netemSeedArgs` adds when this machine's `tc` knows it (6.1 here does not),
 * so the pattern repeats exactly there and only statistically here.
 */

export type ConditionName = 'clean' | 'loss5' | 'loss10' | 'loss20' | 'burst5' | 'jitter30' | 'uplink100';

export interface NetCondition {
  name: ConditionName;
  /** For a person reading the results. */
  label: string;
  /** The `tc qdisc replace dev DEV root …` arguments after `root`; empty: no qdisc (the clean link). */
  qdisc: string[];
  /** netem conditions take a seed where tc can give one. */
  netem: boolean;
  /** Packets lost on average, percent (0 for the others). */
  lossPct: number;
}

/** Gilbert-Elliott parameters of `burst5`, percent: p (Good→Bad), r (Bad→Good), 1-h (loss in Bad), 1-k (loss in Good). */
export const BURST = { p: 1.3, r: 25, lossInBad: 100, lossInGood: 0 } as const;

/** The average loss of a Gilbert-Elliott model, percent. */
export function gilbertElliottLoss(m: { p: number; r: number; lossInBad: number; lossInGood: number }): number {
  const bad = m.p / (m.p + m.r);
  return bad * m.lossInBad + (1 - bad) * m.lossInGood;
}

const random = (pct: number): NetCondition => ({
  name: `loss${pct}` as ConditionName,
  label: `${pct} % random loss`,
  qdisc: ['netem', 'loss', 'random', `${pct}%`],
  netem: true,
  lossPct: pct,
});

export const CONDITIONS: Record<ConditionName, NetCondition> = {
  clean: { name: 'clean', label: 'no loss', qdisc: [], netem: false, lossPct: 0 },
  loss5: random(5),
  loss10: random(10),
  loss20: random(20),
  burst5: {
    name: 'burst5',
    label: `burst loss, ${gilbertElliottLoss(BURST).toFixed(1)} % average (Gilbert-Elliott, bursts of ${(100 / BURST.r).toFixed(0)} packets on average)`,
    qdisc: ['netem', 'loss', 'gemodel', `${BURST.p}%`, `${BURST.r}%`, `${BURST.lossInBad}%`, `${BURST.lossInGood}%`],
    netem: true,
    lossPct: gilbertElliottLoss(BURST),
  },
  jitter30: { name: 'jitter30', label: '30 ms jitter (50 ± 30 ms delay)', qdisc: ['netem', 'delay', '50ms', '30ms', 'distribution', 'normal'], netem: true, lossPct: 0 },
  uplink100: { name: 'uplink100', label: '100 kbit/s uplink', qdisc: ['tbf', 'rate', '100kbit', 'burst', '4kb', 'latency', '200ms'], netem: false, lossPct: 0 },
};

export const CONDITION_NAMES = Object.keys(CONDITIONS) as ConditionName[];

/** The netem arguments that seed its random numbers, where this `tc` takes a seed (`seedSupported`). */
export function netemSeedArgs(condition: NetCondition, seed: number, seedSupported: boolean): string[] {
  return condition.netem && seedSupported ? ['seed', String(seed)] : [];
}
