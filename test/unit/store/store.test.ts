// The operations store against real SQLite files: migrations, batched writes that survive a reopen,
// a corrupt file moved aside, a locked database that never blocks or loses queued rows, rollups.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseSync } from '../../../electron/core/store/sqlite.js';
import { MIGRATIONS } from '../../../electron/core/store/migrations.js';
import { RELATIVE_ERROR } from '../../../electron/core/store/latency-histogram.js';
import { buildReport } from '../../../electron/core/reports/report.js';
import { OpsStore } from '../../../electron/core/store/store.js';
import type { RequestRow } from '../../../electron/core/store/types.js';
import { tempDir } from '../../helpers/tmp.js';

const row = (timeMs: number, over: Partial<RequestRow> = {}): RequestRow => ({
  timeMs,
  deployment: 'm',
  keyId: 'k1',
  route: '/v1/chat/completions',
  status: 200,
  outcome: 'completed',
  promptTokens: 10,
  completionTokens: 5,
  ttftMs: 12.5,
  tpotMs: 2,
  totalMs: 30,
  ...over,
});

const dirs: { cleanup(): void }[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe('OpsStore', () => {
  it('creates the schema at the latest version in WAL mode and keeps rows across a reopen', () => {
    const file = join(dir(), 'ops.sqlite');
    const a = new OpsStore(file);
    a.recordRequest(row(1000));
    a.recordEvent({ timeMs: 1000, deployment: 'm', kind: 'crash', reason: 'engine exited (signal SIGKILL)' });
    a.close();
    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
    const b = new OpsStore(file);
    expect(b.requests(0, 2000)).toEqual([row(1000)]);
    expect(b.events(0, 2000)).toEqual([{ timeMs: 1000, deployment: 'm', kind: 'crash', reason: 'engine exited (signal SIGKILL)' }]);
    b.close();
  });

  it('migrates a version-1 store (before alerts) to the latest version, keeping its rows', () => {
    const file = join(dir(), 'ops.sqlite');
    const v1 = new DatabaseSync(file);
    v1.exec(MIGRATIONS[0]!);
    v1.exec('PRAGMA user_version = 1');
    v1.prepare('INSERT INTO requests (time_ms, deployment, key_id, route, status, outcome, prompt_tokens, completion_tokens, ttft_ms, tpot_ms, total_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)').run(
      7,
      'm',
      'k1',
      '/v1/chat/completions',
      200,
      'completed',
      10,
      5,
      12.5,
      2,
      30,
    );
    v1.close();
    const s = new OpsStore(file);
    expect(s.health().problem).toBeNull();
    expect(s.requests(0, 10)).toEqual([row(7)]);
    s.recordAlert({ timeMs: 8, deployment: 'm', kind: 'down', reason: 'crash' });
    expect(s.alerts(0, 10)).toEqual([{ timeMs: 8, deployment: 'm', kind: 'down', reason: 'crash' }]);
    s.close();
  });

  it('moves a corrupt file aside with a timestamp, reports it, and starts a new store', () => {
    const d = dir();
    const file = join(d, 'ops.sqlite');
    writeFileSync(file, 'this is not a database, it is '.repeat(200));
    const problems: string[] = [];
    const s = new OpsStore(file);
    s.onProblem = (p) => problems.push(p);
    expect(s.health().problem).toMatch(/was corrupt .* moved to .*ops\.sqlite\.corrupt-/);
    expect(readdirSync(d).some((n) => n.startsWith('ops.sqlite.corrupt-'))).toBe(true);
    s.recordRequest(row(5));
    expect(s.flush()).toBe(true);
    expect(s.requests(0, 10)).toHaveLength(1);
    s.close();
  });

  it('refuses a database from a newer version without touching it', () => {
    const file = join(dir(), 'ops.sqlite');
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    const s = new OpsStore(file);
    expect(s.health()).toMatchObject({ ok: false, problem: expect.stringMatching(/newer than this app knows/) });
    s.recordRequest(row(1)); // accepted and queued, never thrown
    expect(s.flush()).toBe(false);
    s.close();
    expect(existsSync(file)).toBe(true);
  });

  it('keeps queued rows while another connection holds the write lock, without blocking, then writes them', () => {
    const file = join(dir(), 'ops.sqlite');
    const s = new OpsStore(file);
    s.recordRequest(row(1));
    s.flush();
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    s.recordRequest(row(2));
    const t0 = performance.now();
    expect(s.flush()).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000); // busy_timeout is short: the event loop is not held
    expect(s.health()).toMatchObject({ ok: false, queued: 1, problem: expect.stringMatching(/could not be written/) });
    other.exec('COMMIT');
    other.close();
    expect(s.flush()).toBe(true);
    expect(s.health()).toMatchObject({ ok: true, queued: 0, problem: null });
    expect(s.requests(0, 10).map((r) => r.timeMs)).toEqual([1, 2]);
    s.close();
  });

  it('rolls request rows past the retention into daily rollups per deployment and key, keeping counts and tokens', () => {
    const now = Date.UTC(2026, 10, 20, 12);
    const s = new OpsStore(join(dir(), 'ops.sqlite'), () => now);
    const old = Date.UTC(2026, 10, 1, 9);
    s.recordRequest(row(old));
    s.recordRequest(row(old + 1000, { status: 502, outcome: 'engine_failed', completionTokens: 1 }));
    s.recordRequest(row(old + 2000, { keyId: null }));
    s.recordRequest(row(now - 1000));
    expect(s.rollup(7)).toBe(3);
    expect(s.requests(0, now)).toHaveLength(1);
    const rollups = s.rollups('2026-11-01', '2026-12-01');
    expect(rollups).toHaveLength(2);
    expect(rollups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ day: '2026-11-01', deployment: 'm', keyId: null, requests: 1, errors: 0, promptTokens: 10, completionTokens: 5 }),
        expect.objectContaining({ day: '2026-11-01', deployment: 'm', keyId: 'k1', requests: 2, errors: 1, promptTokens: 20, completionTokens: 6 }),
      ]),
    );
    // A second rollup of the same day adds to it.
    s.recordRequest(row(old + 3000));
    s.rollup(7);
    expect(s.rollups('2026-11-01', '2026-11-02').find((r) => r.keyId === 'k1')?.requests).toBe(3);
    s.close();
  });

  it('keeps hardware samples (the month’s energy) for 62 days whatever a shorter request retention says', () => {
    const now = Date.UTC(2026, 11, 4, 12);
    const s = new OpsStore(join(dir(), 'ops.sqlite'), () => now);
    const sample = (timeMs: number) => s.recordHardware({ timeMs, device: 'gpu0', utilizationPercent: 50, memoryUsedBytes: 1, powerWatts: 200 });
    sample(Date.UTC(2026, 10, 1, 9)); // last month's first day: 33 days old
    sample(Date.UTC(2026, 8, 30, 9)); // 65 days old
    s.rollup(7);
    expect(s.hardware(0, now).map((r) => new Date(r.timeMs).toISOString().slice(0, 10))).toEqual(['2026-11-01']);
    s.close();
  });

  it('keeps latency histograms in the rollups so the month’s percentiles survive the retention (within ±1 %)', () => {
    const now = Date.UTC(2026, 10, 25, 12);
    const s = new OpsStore(join(dir(), 'ops.sqlite'), () => now);
    const ttfts: number[] = [];
    for (let i = 0; i < 400; i++) {
      const ttft = 50 + ((i * 7919) % 1000) * 1.7; // 50–1750 ms, spread
      ttfts.push(ttft);
      s.recordRequest(row(Date.UTC(2026, 10, 1 + (i % 10), 9) + i, { ttftMs: ttft, tpotMs: 10 + (i % 5) }));
    }
    const policy = { availabilityPercent: 99.5, ttftP95Ms: 500, errorRatePercent: 1 };
    const before = buildReport(s, '2026-11', policy, now).total.ttftMs;
    expect(s.rollup(7)).toBe(400);
    expect(s.requests(0, now)).toHaveLength(0);
    const after = buildReport(s, '2026-11', policy, now);
    expect(after.rolledUpDays).toBe(10);
    expect(after.total.ttftMs.count).toBe(400);
    for (const p of ['p50', 'p95', 'p99'] as const) expect(Math.abs(after.total.ttftMs[p]! - before[p]!) / before[p]!).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    expect(after.daily.every((d) => d.ttftP95Ms !== null)).toBe(true);
    // Rolling the same day up again merges the histograms: counts add up.
    s.recordRequest(row(Date.UTC(2026, 10, 1, 10), { ttftMs: 100 }));
    s.rollup(7);
    expect(buildReport(s, '2026-11', policy, now).total.ttftMs.count).toBe(401);
    s.close();
  });
});
