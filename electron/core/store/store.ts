// The operations store: one SQLite file in the data dir (WAL) holding request metadata, availability
// samples, supervisor events and hardware samples, with numbered migrations and daily rollups past
// the retention. Writes from the request path are queued and flushed in batches off the hot path;
// a store that cannot be opened or written (corrupt, locked, full disk) is reported and counted and
// never fails a request. See DESIGN.md.
import { existsSync, renameSync } from 'node:fs';
import { DatabaseSync, type Database, type Statement } from './sqlite.js';
import { MIGRATIONS } from './migrations.js';
import { parseHistogram } from './latency-histogram.js';
import { rollUpRequests } from './rollup.js';
import type { AlertRow, AvailabilityRow, EventRow, HardwareRow, RequestRow, RollupRow, StoreHealth } from './types.js';

/** How long rows wait to be written together. */
const FLUSH_MS = 250;
/** Rows kept while the database cannot be written; beyond this the oldest are dropped (and counted). */
const MAX_QUEUED = 50_000;
/** The store writes on the event loop: a lock held elsewhere may stall it this long at most. */
const BUSY_TIMEOUT_MS = 20;
/** A database that could not be opened is tried again after this long. */
const REOPEN_MS = 30_000;
/** Availability and events are small: kept this long whatever the request retention. */
const HISTORY_DAYS = 400;
/**
 * Hardware samples carry no customer data and the month's energy is integrated from them, so they are
 * kept at least this long whatever the request retention: last month's report stays complete until the
 * end of this month (62 days cover any month plus the next). Every 30 s per device: ~180k rows a device.
 */
const HARDWARE_MIN_DAYS = 62;
const DAY_MS = 86_400_000;

type Table = 'requests' | 'availability' | 'events' | 'hardware' | 'alerts';
interface Pending {
  table: Table;
  values: (string | number | null)[];
}

const INSERTS: Record<Table, string> = {
  requests: 'INSERT INTO requests (time_ms, deployment, key_id, route, status, outcome, prompt_tokens, completion_tokens, ttft_ms, tpot_ms, total_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
  availability: 'INSERT INTO availability (time_ms, deployment, status, reason) VALUES (?,?,?,?)',
  events: 'INSERT INTO events (time_ms, deployment, kind, reason) VALUES (?,?,?,?)',
  alerts: 'INSERT INTO alerts (time_ms, deployment, kind, reason) VALUES (?,?,?,?)',
  hardware: 'INSERT INTO hardware_samples (time_ms, device, utilization_percent, memory_used_bytes, power_watts) VALUES (?,?,?,?,?)',
};

/** SQLite result codes that mean "this file is not a usable database" (moved aside, a new one made). */
const CORRUPT_CODES = new Set([11 /* SQLITE_CORRUPT */, 26 /* SQLITE_NOTADB */]);

export class OpsStore {
  private db: Database | null = null;
  private inserts = new Map<Table, Statement>();
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private problem: string | null = null;
  private failures = 0;
  private dropped = 0;
  private lastOpenAttempt = 0;
  private closed = false;
  /** Called with a line for the operator's log when something goes wrong (never row contents). */
  onProblem: ((line: string) => void) | null = null;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.open();
  }

  recordRequest(r: RequestRow): void {
    this.enqueue('requests', [r.timeMs, r.deployment, r.keyId, r.route, r.status, r.outcome, r.promptTokens, r.completionTokens, r.ttftMs, r.tpotMs, r.totalMs]);
  }

  recordAvailability(r: AvailabilityRow): void {
    this.enqueue('availability', [r.timeMs, r.deployment, r.status, r.reason]);
  }

  recordEvent(r: EventRow): void {
    this.enqueue('events', [r.timeMs, r.deployment, r.kind, r.reason]);
  }

  recordAlert(r: AlertRow): void {
    this.enqueue('alerts', [r.timeMs, r.deployment, r.kind, r.reason]);
  }

  recordHardware(r: HardwareRow): void {
    this.enqueue('hardware', [r.timeMs, r.device, r.utilizationPercent, r.memoryUsedBytes, r.powerWatts]);
  }

  health(): StoreHealth {
    return { ok: this.db !== null && this.problem === null, problem: this.problem, failures: this.failures, dropped: this.dropped, queued: this.queue.length };
  }

  /** Write every queued row now, in one transaction. False (rows kept for the next try) when it failed. */
  flush(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return true;
    const db = this.database();
    if (!db) return false;
    const batch = this.queue;
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const p of batch) this.statement(db, p.table).run(...p.values);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
      this.queue = this.queue.slice(batch.length);
      this.problem = null;
      return true;
    } catch (err) {
      this.fail(`the operations store could not be written (${describe(err)}); requests are served, ${this.queue.length} rows wait`);
      this.schedule();
      return false;
    }
  }

  /** Read access for the reports (null while the database is unavailable). */
  reader(): Database | null {
    this.flush();
    return this.database();
  }

  /**
   * Request rows of days older than the retention become one rollup row per day, deployment and key
   * (counts and tokens kept, latencies as histograms: `rollup.ts`); hardware samples older than the retention
   * or HARDWARE_MIN_DAYS (the longer) are deleted; availability and events are kept for HISTORY_DAYS. Returns how many request rows were rolled up.
   */
  rollup(retentionDays: number): number {
    const db = this.reader();
    if (!db) return 0;
    const dayStart = Math.floor(this.now() / DAY_MS) * DAY_MS;
    const cutoff = dayStart - retentionDays * DAY_MS;
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        const rolled = rollUpRequests(db, cutoff);
        db.prepare('DELETE FROM hardware_samples WHERE time_ms < ?').run(dayStart - Math.max(retentionDays, HARDWARE_MIN_DAYS) * DAY_MS);
        const history = dayStart - HISTORY_DAYS * DAY_MS;
        db.prepare('DELETE FROM availability WHERE time_ms < ?').run(history);
        db.prepare('DELETE FROM events WHERE time_ms < ?').run(history);
        db.prepare('DELETE FROM alerts WHERE time_ms < ?').run(history);
        db.exec('COMMIT');
        return rolled;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      this.fail(`the operations store could not roll up old rows (${describe(err)})`);
      return 0;
    }
  }

  requests(fromMs: number, toMs: number): RequestRow[] {
    return this.rows(
      'SELECT time_ms timeMs, deployment, key_id keyId, route, status, outcome, prompt_tokens promptTokens, completion_tokens completionTokens, ttft_ms ttftMs, tpot_ms tpotMs, total_ms totalMs FROM requests WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms',
      fromMs,
      toMs,
    ) as unknown as RequestRow[];
  }

  /** Availability rows in the window, plus each deployment's last row before it (its state at the start). */
  availability(fromMs: number, toMs: number): AvailabilityRow[] {
    return this.rows(
      `SELECT time_ms timeMs, deployment, status, reason FROM availability a WHERE time_ms < ? AND (time_ms >= ? OR
         id = (SELECT id FROM availability b WHERE b.deployment = a.deployment AND b.time_ms < ? ORDER BY time_ms DESC, id DESC LIMIT 1))
       ORDER BY time_ms, id`,
      toMs,
      fromMs,
      fromMs,
    ) as unknown as AvailabilityRow[];
  }

  events(fromMs: number, toMs: number): EventRow[] {
    return this.rows('SELECT time_ms timeMs, deployment, kind, reason FROM events WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id', fromMs, toMs) as unknown as EventRow[];
  }

  alerts(fromMs: number, toMs: number): AlertRow[] {
    return this.rows('SELECT time_ms timeMs, deployment, kind, reason FROM alerts WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id', fromMs, toMs) as unknown as AlertRow[];
  }

  hardware(fromMs: number, toMs: number): HardwareRow[] {
    return this.rows(
      'SELECT time_ms timeMs, device, utilization_percent utilizationPercent, memory_used_bytes memoryUsedBytes, power_watts powerWatts FROM hardware_samples WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id',
      fromMs,
      toMs,
    ) as unknown as HardwareRow[];
  }

  rollups(fromDay: string, toDay: string): RollupRow[] {
    const rows = this.rows(
      'SELECT day, deployment, key_id keyId, requests, errors, prompt_tokens promptTokens, completion_tokens completionTokens, ttft_hist ttftHist, tpot_hist tpotHist FROM request_rollups WHERE day >= ? AND day < ? ORDER BY day',
      fromDay,
      toDay,
    ) as unknown as (Omit<RollupRow, 'ttftHist' | 'tpotHist'> & { ttftHist: string | null; tpotHist: string | null })[];
    return rows.map((r) => ({ ...r, keyId: r.keyId === '' ? null : r.keyId, ttftHist: parseHistogram(r.ttftHist), tpotHist: parseHistogram(r.tpotHist) }));
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    try {
      this.db?.close();
    } catch {
      // already closed
    }
    this.db = null;
  }

  private rows(sql: string, ...params: (string | number)[]): Record<string, unknown>[] {
    const db = this.reader();
    if (!db) throw new Error(this.problem ?? 'the operations store is not available');
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  private enqueue(table: Table, values: (string | number | null)[]): void {
    if (this.closed) return;
    this.queue.push({ table, values });
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, FLUSH_MS);
    this.timer.unref();
  }

  private statement(db: Database, table: Table): Statement {
    let s = this.inserts.get(table);
    if (!s) this.inserts.set(table, (s = db.prepare(INSERTS[table])));
    return s;
  }

  private database(): Database | null {
    if (!this.db && !this.closed && this.now() - this.lastOpenAttempt >= REOPEN_MS) this.open();
    return this.db;
  }

  /** Open (or create) the file and run the migrations it lacks. A corrupt file is moved aside, never overwritten. */
  private open(): void {
    this.lastOpenAttempt = this.now();
    try {
      this.db = openAndMigrate(this.file);
      this.inserts.clear();
      this.problem = null;
    } catch (err) {
      this.db = null;
      const code = (err as { errcode?: number }).errcode;
      if (code !== undefined && CORRUPT_CODES.has(code) && existsSync(this.file)) {
        const aside = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
        renameSync(this.file, aside);
        for (const suffix of ['-wal', '-shm']) if (existsSync(this.file + suffix)) renameSync(this.file + suffix, aside + suffix);
        this.open();
        this.fail(`the operations store ${this.file} was corrupt (${describe(err)}); it was moved to ${aside} and a new one started`);
        return;
      }
      this.fail(`the operations store ${this.file} could not be opened (${describe(err)}); requests are served but not recorded`);
    }
  }

  private fail(problem: string): void {
    this.failures++;
    this.problem = problem;
    this.onProblem?.(problem);
  }
}

function openAndMigrate(file: string): Database {
  const db = new DatabaseSync(file);
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version > MIGRATIONS.length) throw new Error(`it has schema version ${version}, newer than this app knows (${MIGRATIONS.length}); update the app`);
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(MIGRATIONS[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function describe(err: unknown): string {
  const e = err as { errstr?: string; message?: string };
  return e.message ?? e.errstr ?? String(err);
}
