// Staging check reports kept in `<data>/engine-checks/<id>.json` (one file each, written atomically),
// so a promote can name the report it relied on and the UI can show past checks.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineCheckReport } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const ID = /^[A-Za-z0-9._-]+$/;

export class CheckReports {
  constructor(private readonly dir: string) {}

  save(report: EngineCheckReport): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, `${report.id}.json`), JSON.stringify(report, null, 2) + '\n', 0o644);
  }

  get(id: string): EngineCheckReport | null {
    if (!ID.test(id)) return null;
    try {
      return JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as EngineCheckReport;
    } catch {
      return null;
    }
  }

  /** Newest first; unreadable files are skipped (a report is advice, not state). */
  list(): EngineCheckReport[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names
      .map((n) => this.get(n.slice(0, -5)))
      .filter((r): r is EngineCheckReport => r !== null && r.schemaVersion === 1)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** The newest report on a candidate. */
  latestFor(candidate: string): EngineCheckReport | null {
    return this.list().find((r) => r.candidate === candidate) ?? null;
  }
}
