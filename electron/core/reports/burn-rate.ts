// The error-budget burn alert (Google SRE workbook, "multiwindow, multi-burn-rate alerts"): the
// burn rate is the error ratio over a window divided by the ratio the error-rate target allows
// (1 % target, 5 % errors → burning 5× as fast as allowed). An alert fires when both a long and a
// short window burn faster than a threshold: the long window shows it is significant, the short one
// that it is still happening (so the alert also stops soon after the errors do).
//
//   1 h and 5 min above 14.4×: 2 % of a 30-day budget gone in an hour (page-worthy)
//   6 h and 30 min above 6×:   5 % of the budget gone in six hours
//
// Counts live in memory in 10-second buckets per deployment (at most 6 h of them); the requests
// come from the gateway's store hook, after the answer, never on the request's path.
import type { AlertRow } from '../store/types.js';

export interface BurnWindow {
  longMs: number;
  shortMs: number;
  /** Burn rate both windows must reach. */
  factor: number;
}

export const BURN_WINDOWS: readonly BurnWindow[] = [
  { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
  { longMs: 6 * 3_600_000, shortMs: 1_800_000, factor: 6 },
];
/** Fewer requests than this in the short window say nothing yet (one failed request of two is not a trend). */
export const MIN_REQUESTS = 10;
const BUCKET_MS = 10_000;
/** A deployment is evaluated at most this often; a burst in between is looked at once it ends. */
const EVALUATE_EVERY_MS = 1_000;

interface Bucket {
  start: number;
  requests: number;
  errors: number;
}

interface Track {
  buckets: Bucket[];
  firing: boolean;
  lastEvaluated: number;
  timer: NodeJS.Timeout | null;
}

export interface BurnRateDeps {
  /** The deployment's error-rate target in percent (0: no budget, no alert). */
  targetPercent: (deployment: string) => number;
  raise: (alert: AlertRow) => void;
  now?: () => number;
  windows?: readonly BurnWindow[];
  minRequests?: number;
}

export class BurnRateMonitor {
  private readonly tracks = new Map<string, Track>();
  private readonly now: () => number;
  private readonly windows: readonly BurnWindow[];
  private readonly horizonMs: number;

  constructor(private readonly deps: BurnRateDeps) {
    this.now = deps.now ?? Date.now;
    this.windows = deps.windows ?? BURN_WINDOWS;
    this.horizonMs = Math.max(...this.windows.map((w) => w.longMs));
  }

  /** One answered request (5xx is an error, as in the report). */
  record(r: { timeMs: number; deployment: string; status: number }): void {
    const t = this.tracks.get(r.deployment) ?? this.newTrack(r.deployment);
    const start = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    let b = t.buckets[t.buckets.length - 1];
    if (!b || b.start !== start) t.buckets.push((b = { start, requests: 0, errors: 0 }));
    b.requests++;
    if (r.status >= 500) b.errors++;
    const wait = t.lastEvaluated + EVALUATE_EVERY_MS - this.now();
    if (wait <= 0) this.evaluate(r.deployment, t);
    else if (!t.timer) {
      t.timer = setTimeout(() => this.evaluate(r.deployment, t), wait);
      t.timer.unref();
    }
  }

  /** Stops pending evaluations (shutdown). */
  close(): void {
    for (const t of this.tracks.values()) if (t.timer) clearTimeout(t.timer);
  }

  private newTrack(deployment: string): Track {
    const t: Track = { buckets: [], firing: false, lastEvaluated: 0, timer: null };
    this.tracks.set(deployment, t);
    return t;
  }

  private evaluate(deployment: string, t: Track): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    const now = this.now();
    t.lastEvaluated = now;
    while (t.buckets.length && t.buckets[0]!.start + BUCKET_MS <= now - this.horizonMs) t.buckets.shift();
    const budget = this.deps.targetPercent(deployment) / 100;
    const hit = budget > 0 ? this.windows.map((w) => this.check(t, now, w, budget)).find((x) => x !== null) : undefined;
    if (!hit) {
      t.firing = false;
      return;
    }
    if (t.firing) return;
    t.firing = true;
    this.deps.raise({ timeMs: now, deployment, kind: 'budget-burn', reason: hit });
  }

  /** The alert's reason when both windows burn at least `factor`× too fast, else null. */
  private check(t: Track, now: number, w: BurnWindow, budget: number): string | null {
    const long = sum(t.buckets, now - w.longMs);
    const short = sum(t.buckets, now - w.shortMs);
    if (short.requests < (this.deps.minRequests ?? MIN_REQUESTS)) return null;
    const longRate = long.errors / long.requests / budget;
    const shortRate = short.errors / short.requests / budget;
    if (longRate < w.factor || shortRate < w.factor) return null;
    const pct = (x: { errors: number; requests: number }) => `${round((100 * x.errors) / x.requests)} % of ${x.requests} requests`;
    return `errors are using the error budget ${round(Math.min(longRate, shortRate))}× as fast as the ${round(budget * 100)} % target allows: ${pct(short)} failed in the last ${minutes(w.shortMs)}, ${pct(long)} in the last ${minutes(w.longMs)} (alert at ${w.factor}×)`;
  }
}

function sum(buckets: Bucket[], since: number): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (let i = buckets.length - 1; i >= 0 && buckets[i]!.start + BUCKET_MS > since; i--) {
    requests += buckets[i]!.requests;
    errors += buckets[i]!.errors;
  }
  return { requests, errors };
}

const round = (x: number) => Math.round(x * 10) / 10;
const minutes = (ms: number) => (ms >= 3_600_000 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`);
