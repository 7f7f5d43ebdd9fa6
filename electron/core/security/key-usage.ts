// Requests and tokens per key, today and this month (local calendar), for the token quotas and the
// Settings page. Counted in memory on the request path; written to <data>/key-usage.json (atomic
// write) by flush() — on the core's housekeeping interval and at shutdown — so the counters survive a
// restart. A corrupt file is moved aside and reported, never silently replaced.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import type { KeyUsage } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { periodsOf } from './key-limits.js';

const count = z.object({ requests: z.number().int().min(0), tokens: z.number().int().min(0) });
const entry = z.object({ day: z.string(), month: z.string(), today: count, thisMonth: count });
const fileSchema = z.object({ version: z.literal(1), keys: z.record(z.string(), entry) });

export class KeyUsageCounters {
  private readonly byKey = new Map<string, KeyUsage>();
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`llama-orch: ${m}\n`),
  ) {
    this.load();
  }

  /** The key's counts in the current periods (a past day or month reads as zero). */
  get(keyId: string, nowMs = Date.now()): KeyUsage {
    const p = periodsOf(nowMs);
    const u = this.byKey.get(keyId);
    return {
      day: p.day,
      month: p.month,
      today: u && u.day === p.day ? { ...u.today } : { requests: 0, tokens: 0 },
      thisMonth: u && u.month === p.month ? { ...u.thisMonth } : { requests: 0, tokens: 0 },
    };
  }

  /** Count one finished request and its tokens (prompt + completion). */
  record(keyId: string, tokens: number, nowMs = Date.now()): void {
    const u = this.get(keyId, nowMs);
    u.today.requests++;
    u.thisMonth.requests++;
    u.today.tokens += tokens;
    u.thisMonth.tokens += tokens;
    this.byKey.set(keyId, u);
    this.dirty = true;
  }

  forget(keyId: string): void {
    if (this.byKey.delete(keyId)) this.dirty = true;
  }

  /** Write the counters if they changed (off the request path). */
  flush(): void {
    if (!this.dirty) return;
    // Still dirty if the write fails (a full disk): the next flush tries again with every count.
    writeFileAtomic(this.file, JSON.stringify({ version: 1, keys: Object.fromEntries(this.byKey) }) + '\n');
    this.dirty = false;
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    try {
      const data = fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
      for (const [id, u] of Object.entries(data.keys)) this.byKey.set(id, u);
    } catch (err) {
      const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(this.file, aside);
      this.warn(`key usage file ${this.file} could not be read (${(err as Error).message.slice(0, 200)}); moved to ${aside}, counting starts again from zero`);
    }
  }
}
