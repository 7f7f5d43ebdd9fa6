// The deployments file, <data>/deployments.json: versioned, validated on read, written atomically
// (temp file in the same folder, fsync, rename). A file that cannot be read as this version (corrupt
// JSON, a failing field, a newer version) is moved aside with a timestamp and reported: the
// deployments it held are never silently replaced by defaults.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { DEPLOYMENTS_SCHEMA_VERSION, deploymentsFileSchema, type Deployment, type DeploymentsFile } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { DeploymentError } from './errors.js';

export interface LoadResult {
  deployments: Deployment[];
  /** What was wrong with the file and where it was kept aside; empty when all was well. */
  problems: string[];
}

/** Format migrations: `MIGRATIONS[n]` turns a version-n document into version n+1. None yet. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {};

export class DeploymentStore {
  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  load(): LoadResult {
    if (!existsSync(this.file)) return { deployments: [], problems: [] };
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      return this.keepAside(`is not valid JSON (${(err as Error).message})`);
    }
    const version = typeof doc === 'object' && doc !== null ? (doc as { schemaVersion?: unknown }).schemaVersion : undefined;
    if (typeof version === 'number' && version > DEPLOYMENTS_SCHEMA_VERSION) {
      return this.keepAside(`has format version ${version}, newer than this app's ${DEPLOYMENTS_SCHEMA_VERSION} (written by a newer llama-orch)`);
    }
    const migrated = migrate(doc);
    const r = deploymentsFileSchema.safeParse(migrated);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return this.keepAside(`field \`${issue.path.join('.')}\`: ${issue.message}`);
    }
    return { deployments: r.data.deployments as Deployment[], problems: [] };
  }

  /** Write every deployment: temp file, fsync, rename over the old file (readers see old or new, whole). */
  save(deployments: Deployment[]): void {
    const doc: DeploymentsFile = { schemaVersion: DEPLOYMENTS_SCHEMA_VERSION, deployments };
    try {
      writeFileAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (err) {
      throw new DeploymentError('store_unwritable', `cannot save deployments to ${this.file}: ${(err as Error).message}`);
    }
  }

  private keepAside(why: string): LoadResult {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    renameSync(this.file, aside);
    return { deployments: [], problems: [`deployments file ${this.file} ${why}; kept aside as ${aside} (nothing was deleted; fix it and move it back to restore those deployments)`] };
  }
}

function migrate(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  let out = doc as Record<string, unknown>;
  for (let v = out.schemaVersion as number; typeof v === 'number' && MIGRATIONS[v]; v = out.schemaVersion as number) out = MIGRATIONS[v]!(out);
  return out;
}
