// The request log (metadata only: never prompt or completion text unless the user turns that on)
// and the audit log of admin actions. JSON lines per day under <data>/logs/, pruned by retention.
import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
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
}

export interface AuditRecord {
  time: string;
  action: string;
  actor: string;
  target?: string;
  detail?: Record<string, unknown>;
}

export class ActivityLog {
  private ready: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly retentionDays: () => number,
  ) {
    this.ready = mkdir(dir, { recursive: true }).then(() => this.prune().then(() => undefined));
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

  /** Resolves when every write queued so far is on disk (tests, shutdown). */
  flush(): Promise<void> {
    return this.ready;
  }

  private append(file: string, rec: object): void {
    this.ready = this.ready.then(() => appendFile(join(this.dir, file), JSON.stringify(rec) + '\n')).catch(() => undefined);
  }
}
