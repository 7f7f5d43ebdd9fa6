// Request-log statistics for the support bundle: per model and route, counts by status and outcome,
// latency and time-to-first-byte percentiles, token totals. Read from the JSON-lines request log;
// only numbers and names leave, never the `content` a user may have turned on.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestRecord } from '../logs/request-log.js';
import { tail } from './tail.js';

export interface RequestStatsRow {
  model: string;
  route: string;
  count: number;
  byStatus: Record<string, number>;
  byOutcome: Record<string, number>;
  totalMs: Percentiles;
  firstByteMs: Percentiles;
  promptTokens: number;
  completionTokens: number;
}

interface Percentiles {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** The newest request-log days are read up to this many lines in all. */
const MAX_LINES = 200_000;

export async function requestStats(logsDir: string): Promise<{ days: string[]; rows: RequestStatsRow[] }> {
  const days = existsSync(logsDir)
    ? readdirSync(logsDir)
        .filter((n) => /^requests-\d{4}-\d{2}-\d{2}\.jsonl$/.test(n))
        .sort()
    : [];
  const groups = new Map<string, { rec: RequestRecord[] }>();
  let budget = MAX_LINES;
  for (const day of [...days].reverse()) {
    if (budget <= 0) break;
    const lines = await tail(join(logsDir, day), budget);
    budget -= lines.length;
    for (const line of lines) {
      let rec: RequestRecord;
      try {
        rec = JSON.parse(line) as RequestRecord;
      } catch {
        continue;
      }
      const key = `${rec.model}\u0000${rec.route}`;
      const g = groups.get(key) ?? { rec: [] };
      g.rec.push(rec);
      groups.set(key, g);
    }
  }
  const rows = [...groups.values()].map(({ rec }) => row(rec));
  return { days: days.map((d) => d.slice(9, 19)), rows };
}

function row(rec: RequestRecord[]): RequestStatsRow {
  const count = (f: (r: RequestRecord) => string) => rec.reduce<Record<string, number>>((acc, r) => ((acc[f(r)] = (acc[f(r)] ?? 0) + 1), acc), {});
  return {
    model: rec[0]!.model,
    route: rec[0]!.route,
    count: rec.length,
    byStatus: count((r) => String(r.status)),
    byOutcome: count((r) => r.outcome),
    totalMs: percentiles(rec.map((r) => r.totalMs)),
    firstByteMs: percentiles(rec.map((r) => r.firstByteMs).filter((n): n is number => n !== null)),
    promptTokens: rec.reduce((s, r) => s + (r.promptTokens ?? 0), 0),
    completionTokens: rec.reduce((s, r) => s + (r.completionTokens ?? 0), 0),
  };
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: null, p95: null, max: null };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}
