// The RPC workers registered on this main node: `<data>/workers.json` (versioned, written atomically,
// a corrupt or newer file kept aside and reported, never replaced by defaults), and what each worker's
// status endpoint said at the last health check. The CLI edits the file; a running core re-reads it
// when it changed. The planner gets the workers' devices through `remoteDevices()`.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import type { RemoteDevice } from '../../contract/hardware.js';
import { defaultStatusPort, WORKERS_SCHEMA_VERSION, workerAddSchema, workersFileSchema, type WorkerEntry, type WorkerStatus, type WorkerView } from '../../contract/workers.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';

export type FetchStatus = (entry: WorkerEntry, timeoutMs: number) => Promise<WorkerStatus>;

/** GET http://<worker host>:<status port>/status. */
export const httpStatus: FetchStatus = async (entry, timeoutMs) => {
  const host = entry.address.slice(0, entry.address.lastIndexOf(':'));
  const res = await fetch(`http://${host}:${entry.statusPort}/status`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`its status endpoint answered HTTP ${res.status}`);
  return (await res.json()) as WorkerStatus;
};

interface Checked {
  view: Omit<WorkerView, keyof WorkerEntry>;
}

export class WorkerRegistry {
  private entries: WorkerEntry[] = [];
  private mtimeMs = -1;
  private readonly checked = new Map<string, Checked>();
  /** What was wrong with the file (kept aside), for the UI and `serve`. */
  readonly problems: string[] = [];

  constructor(
    readonly file: string,
    private readonly fetchStatus: FetchStatus = httpStatus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): WorkerEntry[] {
    this.reload();
    return [...this.entries];
  }

  add(input: unknown): WorkerEntry {
    const req = validate(workerAddSchema, input, 'worker');
    this.reload();
    if (this.entries.some((e) => e.address.toLowerCase() === req.address.toLowerCase())) {
      throw new HttpError(409, `worker ${req.address} is already registered`, 'invalid_request_error', 'worker_exists', 'address');
    }
    const entry: WorkerEntry = { address: req.address, statusPort: req.statusPort ?? defaultStatusPort(req.address), addedAt: this.now().toISOString() };
    this.save([...this.entries, entry]);
    return entry;
  }

  remove(address: string): boolean {
    this.reload();
    const next = this.entries.filter((e) => e.address.toLowerCase() !== address.trim().toLowerCase());
    if (next.length === this.entries.length) return false;
    this.save(next);
    this.checked.delete(address);
    return true;
  }

  /** Ask every worker's status endpoint now (in parallel); an unanswered one is offline with the reason. */
  async check(timeoutMs = 2000): Promise<WorkerView[]> {
    const entries = this.list();
    await Promise.all(
      entries.map(async (e) => {
        const checkedAt = this.now().toISOString();
        try {
          const s = await this.fetchStatus(e, timeoutMs);
          const ready = s.state === 'ready';
          const reason = !ready ? `its rpc-server is ${s.state}${s.reason ? `: ${s.reason}` : ''}` : null;
          this.checked.set(e.address, { view: { health: ready ? 'online' : 'offline', reason, checkedAt, devices: s.devices, clientConnected: s.clientConnected } });
        } catch (err) {
          const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
          // The devices it had stay listed (unusable, with the reason): plans and refusals can name them.
          const known = this.checked.get(e.address)?.view.devices ?? [];
          this.checked.set(e.address, {
            view: {
              health: 'offline',
              reason: `status endpoint ${e.address.slice(0, e.address.lastIndexOf(':'))}:${e.statusPort} unreachable (${why})`,
              checkedAt,
              devices: known,
              clientConnected: false,
            },
          });
        }
      }),
    );
    return this.views();
  }

  /** Every registered worker with its last check (`unknown` before the first). */
  views(): WorkerView[] {
    return this.list().map((e) => ({ ...e, ...(this.checked.get(e.address)?.view ?? { health: 'unknown', reason: null, checkedAt: null, devices: [], clientConnected: false }) }));
  }

  /**
   * The workers' devices for the planner and the hardware view. A worker with an engine connected is
   * not usable by another one: rpc-server serves one client at a time. `busy(address)`: one of our own
   * engines uses it (then it is counted as used by that engine, not as unusable).
   */
  remoteDevices(views: WorkerView[] = this.views(), ours: (address: string) => boolean = () => false): RemoteDevice[] {
    return views.flatMap((w) =>
      w.devices.map((d, position) => {
        const unusable = w.health !== 'online' ? (w.reason ?? 'offline') : w.clientConnected && !ours(w.address) ? 'in use by another engine (rpc-server serves one client at a time)' : null;
        return {
          worker: w.address,
          id: d.id,
          position,
          workerDevices: w.devices.length,
          name: d.name,
          kind: d.kind,
          totalBytes: d.totalBytes,
          freeBytes: d.freeBytes,
          usable: unusable === null,
          reason: unusable,
        };
      }),
    );
  }

  private reload(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      this.entries = [];
      this.mtimeMs = -1;
      return;
    }
    if (mtimeMs === this.mtimeMs) return;
    this.mtimeMs = mtimeMs;
    this.entries = this.read();
  }

  private read(): WorkerEntry[] {
    if (!existsSync(this.file)) return [];
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      return this.keepAside(`is not valid JSON (${(err as Error).message})`);
    }
    const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > WORKERS_SCHEMA_VERSION) return this.keepAside(`has format version ${version}, newer than this app's ${WORKERS_SCHEMA_VERSION}`);
    const r = workersFileSchema.safeParse(doc);
    if (!r.success) return this.keepAside(`field \`${r.error.issues[0]!.path.join('.')}\`: ${r.error.issues[0]!.message}`);
    return r.data.workers;
  }

  private keepAside(why: string): WorkerEntry[] {
    const aside = `${this.file}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.file, aside);
    this.mtimeMs = -1;
    this.problems.push(`workers file ${this.file} ${why}; kept aside as ${aside} (nothing was deleted; fix it and move it back to restore those workers)`);
    return [];
  }

  private save(entries: WorkerEntry[]): void {
    writeFileAtomic(this.file, `${JSON.stringify({ schemaVersion: WORKERS_SCHEMA_VERSION, workers: entries }, null, 2)}\n`);
    this.entries = entries;
    this.mtimeMs = statSync(this.file).mtimeMs;
  }
}
