// The upstreams file, <data>/upstreams.json: versioned, validated on read, written atomically (temp
// file, fsync, rename; mode 0600). A file that cannot be read as this version (corrupt JSON, a failing
// field, a newer version) is moved aside with a timestamp and reported — never replaced by defaults.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { UPSTREAMS_SCHEMA_VERSION, upstreamsFileSchema, type SavedUpstream, type UpstreamsFile } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HttpError } from '../util/errors.js';

export interface UpstreamsLoad {
  upstreams: SavedUpstream[];
  problems: string[];
}

export class UpstreamStore {
  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The file's mtime (ms), or -1 when absent: a running core re-reads a file the CLI changed. */
  mtimeMs(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return -1;
    }
  }

  load(): UpstreamsLoad {
    if (!existsSync(this.file)) return { upstreams: [], problems: [] };
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      return this.keepAside(`is not valid JSON (${(err as Error).message})`);
    }
    const version = typeof doc === 'object' && doc !== null ? (doc as { schemaVersion?: unknown }).schemaVersion : undefined;
    if (typeof version === 'number' && version > UPSTREAMS_SCHEMA_VERSION) {
      return this.keepAside(`has format version ${version}, newer than this app's ${UPSTREAMS_SCHEMA_VERSION} (written by a newer llama-orch)`);
    }
    const r = upstreamsFileSchema.safeParse(doc);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return this.keepAside(`field \`${issue.path.join('.')}\`: ${issue.message}`);
    }
    return { upstreams: r.data.upstreams, problems: [] };
  }

  save(upstreams: SavedUpstream[]): void {
    const doc: UpstreamsFile = { schemaVersion: UPSTREAMS_SCHEMA_VERSION, upstreams };
    try {
      writeFileAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (err) {
      if (err instanceof HttpError) throw err; // a full disk: 507 from writeFileAtomic
      throw new HttpError(500, `could not save ${this.file}: ${(err as Error).message}`, 'server_error', 'store_unwritable');
    }
  }

  private keepAside(why: string): UpstreamsLoad {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    renameSync(this.file, aside);
    return { upstreams: [], problems: [`upstreams file ${this.file} ${why}; kept aside as ${aside} (nothing was deleted; fix it and move it back to restore those upstreams)`] };
  }
}
