/**
 * The bad networks of the lab (netns.ts's `Lab.shape`), by name. Each shapes
 * what one side sends (its uplink), as a hotel Wi-Fi or a train's modem does.
 * Issue 39's conditions:
 *
 * - `clean`: nothing added (the veth pair's own sub-millisecond delay).
 * - `loss5`, `loss10`, `loss20`: independent random loss, each packet
 *   dropped with that probability (netem's `loss random`).
 * - `burst5`: bursty loss from the Gilbert-Elliott model (netem's `loss
 *   gemodel p r 1-h 1-k`): two states, Good and Bad; each packet moves
 *   Good→Bad with probability p and Bad→Good with r, and is lost with
 *   probability 1-h in Bad and 1-k in Good. Here p = 1.3 %, r = 25 %,
 *   1-h = 100 %, 1-k = 0: the link is Bad p/(p+r) = 4.9 % of the time, so
 *   about 5 % of packets are lost on average, in runs averaging 1/r = 4
 *   packets (80 ms of 20 ms audio packets), as Wi-Fi fades drop them.
 * - `runs10`: 10 % of the media's packets lost three in a row, the first
 *   three RTP packets of every thirty (the shaper's `rtp-runs` model, not
 *   netem's, and not random). Not in issue 39's table: it is the speech
 *   test's condition. One earlier frame (Opus FEC, or RED's one copy)
 *   rebuilds only the last of each run, three rebuild all of it, so the
 *   bare pair must conceal and Parley need not. At 10 % random loss most
 *   losses are single, which one copy rebuilds too: within seconds both
 *   conceal next to nothing, and which of the two conceals more is chance.
 * - `jitter30`: 50 ms delay varying with a standard deviation of 30 ms
 *   (netem's `delay 50ms 30ms distribution normal`): packets also arrive
 *   out of order, as on a busy link.
 * - `uplink100`: 100 kbit/s with a 200 ms queue (a token bucket, tc `tbf`),
 *   as a thin or shared uplink.
 *
 * This kernel (and CI's) is built without sch_netem, so loss and delay are
 * done by the lab's user-space shaper (net-shaper.py) on the side-to-side
 * path, with netem's models and a seeded generator: the same packets meet
 * the same fate every run. The thin uplink is the kernel's tbf, on the
 * side's network card, or on the shaper's device once the shaper carries
 * the side's packets to the others (then it limits the call's media, not
 * the few kbit/s of signaling to the server).
 */

export type ConditionName = 'clean' | 'loss5' | 'loss10' | 'loss20' | 'burst5' | 'runs10' | 'jitter30' | 'uplink100';

/** Gilbert-Elliott parameters, percent: p (Good→Bad), r (Bad→Good), 1-h (loss in Bad), 1-k (loss in Good). */
export interface GilbertElliott {
  p: number;
  r: number;
  lossInBad: number;
  lossInGood: number;
}

/** What net-shaper.py does to each packet (its JSON condition). */
export interface Impairment {
  loss?: { model: 'random'; pct: number } | ({ model: 'gilbert-elliott' } & GilbertElliott) | { model: 'rtp-runs'; every: number; run: number };
  delayMs?: number;
  jitterMs?: number;
}

export interface NetCondition {
  name: ConditionName;
  /** For a person reading the results. */
  label: string;
  /** Loss and delay on the side-to-side path (the shaper). */
  impairment?: Impairment;
  /** `tc qdisc replace dev DEV root …` arguments after `root`: a rate limit on what the side sends. */
  qdisc?: string[];
  /** Packets lost on average by the condition itself, percent. */
  lossPct: number;
}

export const BURST: GilbertElliott = { p: 1.3, r: 25, lossInBad: 100, lossInGood: 0 };

/** The average loss of a Gilbert-Elliott model, percent. */
export function gilbertElliottLoss(m: GilbertElliott): number {
  const bad = m.p / (m.p + m.r);
  return bad * m.lossInBad + (1 - bad) * m.lossInGood;
}

const random = (pct: number): NetCondition => ({
  name: `loss${pct}` as ConditionName,
  label: `${pct} % random loss`,
  impairment: { loss: { model: 'random', pct } },
  lossPct: pct,
});

export const CONDITIONS: Record<ConditionName, NetCondition> = {
  clean: { name: 'clean', label: 'no loss', lossPct: 0 },
  loss5: random(5),
  loss10: random(10),
  loss20: random(20),
  burst5: {
    name: 'burst5',
    label: `burst loss, ${gilbertElliottLoss(BURST).toFixed(1)} % average (Gilbert-Elliott, runs of ${(100 / BURST.r).toFixed(0)} packets on average)`,
    impairment: { loss: { model: 'gilbert-elliott', ...BURST } },
    lossPct: gilbertElliottLoss(BURST),
  },
  runs10: {
    name: 'runs10',
    label: '10 % loss in runs of three (the first three media packets of every thirty)',
    impairment: { loss: { model: 'rtp-runs', every: 30, run: 3 } },
    lossPct: 10,
  },
  jitter30: { name: 'jitter30', label: '30 ms jitter (50 ms ± 30 ms delay)', impairment: { delayMs: 50, jitterMs: 30 }, lossPct: 0 },
  uplink100: { name: 'uplink100', label: '100 kbit/s uplink, video on', qdisc: ['tbf', 'rate', '100kbit', 'burst', '4kb', 'latency', '200ms'], lossPct: 0 },
};

export const CONDITION_NAMES = Object.keys(CONDITIONS) as ConditionName[];

/** Issue 39's table: what bench:quality runs unless told otherwise. */
export const MATRIX: ConditionName[] = ['clean', 'loss5', 'loss10', 'loss20', 'burst5', 'jitter30', 'uplink100'];
