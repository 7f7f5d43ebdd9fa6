// A compact latency histogram for rolled-up days (pure): log-spaced buckets, each 2 % wider than the
// one before (the DDSketch layout), so any percentile read back is within ±1 % of a value that was
// measured, whatever the range. Stored as JSON `{bucket: count}`; merging adds counts, so days,
// keys and deployments combine exactly. A month's p95 thus survives the retention's roll-up.

export type Histogram = Record<string, number>;

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** Relative error of a value read back from a bucket (half the bucket's width). */
export const RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);
/** Zero and negative durations (clock steps) share one bucket, read back as 0. */
const ZERO = 'z';

export function addValue(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms)) return;
  const key = ms <= 0 ? ZERO : String(Math.ceil(Math.log(ms) / LOG_GAMMA));
  h[key] = (h[key] ?? 0) + 1;
}

export function mergeInto(into: Histogram, from: Histogram): Histogram {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  return into;
}

export function count(h: Histogram): number {
  return Object.values(h).reduce((a, b) => a + b, 0);
}

/** The bucket's representative value: the point with equal relative distance to both edges. */
function valueOf(key: string): number {
  return key === ZERO ? 0 : (2 * GAMMA ** Number(key)) / (GAMMA + 1);
}

/** Nearest-rank percentile (p in 0–100) over the buckets; null when empty. */
export function percentileOf(h: Histogram, p: number): number | null {
  const buckets = Object.entries(h)
    .map(([k, n]) => [k === ZERO ? -Infinity : Number(k), n, valueOf(k)] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, b) => s + b[1], 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [, n, v] of buckets) {
    seen += n;
    if (seen >= rank) return v;
  }
  return buckets[buckets.length - 1]![2];
}

/** Parses a stored histogram; anything unreadable counts as empty (never fails a report). */
export function parseHistogram(json: string | null | undefined): Histogram {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter(([, n]) => typeof n === 'number' && n > 0)) as Histogram;
  } catch {
    return {};
  }
}
