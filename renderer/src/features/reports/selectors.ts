// Formatting of report figures for the page (pure).
import type { OpsReport } from '../../../../electron/contract/index.js';

export const percent = (n: number | null, digits = 3) => (n === null ? '—' : `${n.toFixed(digits)} %`);
export const msTriple = (p: { count: number; p50: number | null; p95: number | null; p99: number | null }) => (p.count === 0 ? '—' : `${p.p50} / ${p.p95} / ${p.p99}`);
export const duration = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);

/** uPlot's columnar data: x = day (unix seconds), series = requests per day, errors per day. */
export function dailySeries(r: OpsReport): [number[], number[], number[]] {
  return [r.daily.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), r.daily.map((d) => d.requests), r.daily.map((d) => d.errors)];
}

/** The last 12 months, newest first, as `YYYY-MM`. */
export function recentMonths(now = new Date()): string[] {
  return Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
}
