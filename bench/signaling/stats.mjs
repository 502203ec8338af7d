// Exact percentiles from sorted samples (no bucketing): every latency sample
// of a run is kept, which is a few hundred thousand numbers at most.

/** The p-th percentile (0–100) by the nearest-rank method, rounded to 0.01 ms; null without samples. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return round(sorted[Math.min(rank, sorted.length) - 1]);
}

/** `{ p50, p95, p99, ... }` for the given percentiles, plus the sample count. */
export function summarize(samples, ps = [50, 95, 99]) {
  const sorted = Float64Array.from(samples).sort();
  const out = {};
  for (const p of ps) out[`p${p}`] = percentile(sorted, p);
  out.samples = sorted.length;
  return out;
}

export const round = (x, digits = 2) => (x === null || x === undefined ? x : Math.round(x * 10 ** digits) / 10 ** digits);
