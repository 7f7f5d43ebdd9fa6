// Rolling request rows up into one row per UTC day, deployment and key: counts, errors and tokens
// summed, TTFT and time-per-token kept as latency histograms (so percentiles survive the retention).
// Runs inside the caller's transaction; merges into a day's existing rollup row.
import type { Database } from './sqlite.js';
import { addValue, mergeInto, parseHistogram, type Histogram } from './latency-histogram.js';

interface Group {
  day: string;
  deployment: string;
  keyId: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  ttft: Histogram;
  tpot: Histogram;
}

interface RawRow {
  time_ms: number;
  deployment: string;
  key_id: string;
  status: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  ttft_ms: number | null;
  tpot_ms: number | null;
}

function groupRows(rows: RawRow[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const day = new Date(r.time_ms).toISOString().slice(0, 10);
    const id = `${day}\u0000${r.deployment}\u0000${r.key_id}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { day, deployment: r.deployment, keyId: r.key_id, requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, ttft: {}, tpot: {} }));
    g.requests++;
    if (r.status >= 500) g.errors++;
    g.promptTokens += r.prompt_tokens ?? 0;
    g.completionTokens += r.completion_tokens ?? 0;
    if (r.ttft_ms !== null) addValue(g.ttft, r.ttft_ms);
    if (r.tpot_ms !== null) addValue(g.tpot, r.tpot_ms);
  }
  return groups;
}

/** Rolls up the request rows before `cutoffMs` and deletes them; returns how many there were. */
export function rollUpRequests(db: Database, cutoffMs: number): number {
  const rows = db
    .prepare("SELECT time_ms, deployment, coalesce(key_id, '') key_id, status, prompt_tokens, completion_tokens, ttft_ms, tpot_ms FROM requests WHERE time_ms < ?")
    .all(cutoffMs) as unknown as RawRow[];
  if (rows.length === 0) return 0;
  const existing = db.prepare('SELECT requests, errors, prompt_tokens, completion_tokens, ttft_hist, tpot_hist FROM request_rollups WHERE day = ? AND deployment = ? AND key_id = ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO request_rollups (day, deployment, key_id, requests, errors, prompt_tokens, completion_tokens, ttft_hist, tpot_hist) VALUES (?,?,?,?,?,?,?,?,?)');
  for (const g of groupRows(rows).values()) {
    const old = existing.get(g.day, g.deployment, g.keyId) as
      { requests: number; errors: number; prompt_tokens: number; completion_tokens: number; ttft_hist: string | null; tpot_hist: string | null } | undefined;
    upsert.run(
      g.day,
      g.deployment,
      g.keyId,
      g.requests + (old?.requests ?? 0),
      g.errors + (old?.errors ?? 0),
      g.promptTokens + (old?.prompt_tokens ?? 0),
      g.completionTokens + (old?.completion_tokens ?? 0),
      JSON.stringify(mergeInto(g.ttft, parseHistogram(old?.ttft_hist))),
      JSON.stringify(mergeInto(g.tpot, parseHistogram(old?.tpot_hist))),
    );
  }
  return Number(db.prepare('DELETE FROM requests WHERE time_ms < ?').run(cutoffMs).changes);
}
