// The request log (metadata only: never prompt or completion text unless the user turns that on)
// and the audit log of admin actions. JSON lines per day under <data>/logs/, pruned by retention.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface RequestRecord {
  time: string;
  id: string;
  model: string;
  route: string;
  status: number;
  outcome: string;
  promptTokens: number | null;
  completionTokens: number | null;
  firstByteMs: number | null;
  totalMs: number;
  keyId: string | null;
  /** Only with `privacy.logContent` on: the request body and the answer, each capped. */
  content?: { request: string; response: string };
}

export interface AuditRecord {
  time: string;
  action: string;
  actor: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** How long lines wait to be written together. */
const BATCH_MS = 100;

/** Writes that failed (a full or read-only disk): counted and surfaced, never failing a request. */
export interface LogWriteHealth {
  failures: number;
  lastError: string | null;
  lastFailureAt: string | null;
}

export class ActivityLog {
  private ready: Promise<void>;
  private readonly writeHealth: LogWriteHealth = { failures: 0, lastError: null, lastFailureAt: null };
  /** Called once per failed write (metrics). */
  onWriteFailure: ((err: Error) => void) | null = null;
  /** One append stream per file (a day's request log, the audit log): no open/close per line. */
  private readonly streams = new Map<string, WriteStream>();

  constructor(
    private readonly dir: string,
    private readonly retentionDays: () => number,
  ) {
    this.ready = mkdir(dir, { recursive: true })
      .then(() => this.prune().then(() => undefined))
      .catch((err: Error) => this.failed(err));
  }

  request(rec: RequestRecord): void {
    this.append(`requests-${rec.time.slice(0, 10)}.jsonl`, rec);
  }

  audit(action: string, actor: string, target?: string, detail?: Record<string, unknown>): void {
    const rec: AuditRecord = { time: new Date().toISOString(), action, actor, ...(target ? { target } : {}), ...(detail ? { detail } : {}) };
    this.append('audit.jsonl', rec);
  }

  /** Delete request logs older than the retention. */
  async prune(now = Date.now()): Promise<string[]> {
    const days = this.retentionDays();
    const cutoff = new Date(now - days * 86_400_000).toISOString().slice(0, 10);
    const removed: string[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const m = /^requests-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
      if (m && m[1]! < cutoff) {
        await rm(join(this.dir, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  /** How writing the logs goes: failures since start and the last error (health, the UI banner). */
  health(): LogWriteHealth {
    return { ...this.writeHealth };
  }

  private failed(err: Error): void {
    this.writeHealth.failures++;
    this.writeHealth.lastError = `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`;
    this.writeHealth.lastFailureAt = new Date().toISOString();
    this.onWriteFailure?.(err);
  }

  /** Resolves when every line written so far is on disk (tests, shutdown). */
  async flush(): Promise<void> {
    await this.ready;
    // An empty write's callback runs once everything written before it has reached the file.
    await Promise.all(
      [...this.streams.values()].map((s) => {
        while (s.writableCorked) s.uncork();
        return new Promise<void>((resolve) => s.write('', () => resolve()));
      }),
    );
  }

  /** Close every file (shutdown). */
  async close(): Promise<void> {
    await this.ready;
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }

  private append(file: string, rec: object): void {
    let stream = this.streams.get(file);
    if (!stream) {
      // Request logs roll over daily: the previous day's stream is closed when a new one opens.
      if (file.startsWith('requests-')) {
        for (const [name, s] of this.streams) {
          if (name.startsWith('requests-')) {
            s.end();
            this.streams.delete(name);
          }
        }
      }
      stream = createWriteStream(join(this.dir, file), { flags: 'a' });
      const s = stream;
      // A failed write (ENOSPC) destroys the stream: the next line opens a new one and tries again.
      stream.on('error', (err) => {
        if (this.streams.get(file) === s) this.streams.delete(file);
        this.failed(err);
      });
      this.streams.set(file, stream);
    }
    // Lines written within BATCH_MS leave in one write: a busy gateway writes its log a few times
    // a second instead of once per request (a crash loses at most that much of the log).
    if (!stream.writableCorked) {
      stream.cork();
      const s = stream;
      setTimeout(() => s.uncork(), BATCH_MS).unref();
    }
    stream.write(JSON.stringify(rec) + '\n');
  }
}
