// Pidfiles under <data>/run/ so a core that was killed can reap its engines at the next start.
// A pid is only killed after checking that it still is the llama-server we started.
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { safeFileName } from '../util/file-name.js';
import { killTree } from '../util/platform.js';
import { compareIdentity, processIdentity, type ProcessIdentity } from '../util/process-table.js';

export interface PidRecord {
  pid: number;
  instanceId: string;
  enginePath: string;
  startedAt: string;
  corePid: number;
  /** When the core that spawned it started (ISO); absent in records from before this field. */
  coreStartedAt?: string;
}

type Identify = (pid: number) => Promise<ProcessIdentity | null>;

export interface ReapOptions {
  /** The process table (default: the real one); tests pass a fake to drive other platforms. */
  identify?: Identify;
  platform?: NodeJS.Platform;
  killTree?: (pid: number, signal: NodeJS.Signals) => Promise<void>;
  /** Told about each live pid that could not be identified and was therefore left alone. */
  warn?: (message: string) => void;
}

export class PidFiles {
  constructor(private readonly dir: string) {}

  write(rec: PidRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file(rec.instanceId), JSON.stringify(rec) + '\n');
  }

  remove(instanceId: string): void {
    rmSync(this.file(instanceId), { force: true });
  }

  /** Remove the record only if it is still this process's (a replacement may have written its own). */
  removeIfPid(instanceId: string, pid: number): void {
    try {
      const rec = JSON.parse(readFileSync(this.file(instanceId), 'utf8')) as { pid?: number };
      if (rec.pid !== pid) return;
    } catch {
      return;
    }
    this.remove(instanceId);
  }

  list(): PidRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.pid.json'));
    } catch {
      return [];
    }
    const out: PidRecord[] = [];
    for (const name of names) {
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as PidRecord);
      } catch {
        rmSync(join(this.dir, name), { force: true });
      }
    }
    return out;
  }

  /**
   * Kill engines left by a previous core that did not stop them (it was killed, crashed, or the
   * machine was shut down). A pid is only killed when the process table confirms it is the engine
   * we recorded (same executable, same start time): pids are reused, and killing whatever holds one
   * now could end an unrelated program. Returns the pids that were reaped.
   */
  async reapOrphans(opts: ReapOptions = {}): Promise<number[]> {
    const identify = opts.identify ?? processIdentity;
    const reaped: number[] = [];
    for (const rec of this.list()) {
      if (await ownedByLiveCore(rec, identify, opts.platform)) continue;
      const verdict = isAlive(rec.pid) ? compareIdentity({ exe: realPath(rec.enginePath), startedAt: rec.startedAt }, await identify(rec.pid), opts.platform) : 'different';
      if (verdict === 'same') {
        await (opts.killTree ?? killTree)(rec.pid, 'SIGTERM');
        for (let i = 0; i < 50 && isAlive(rec.pid); i++) await new Promise((r) => setTimeout(r, 50));
        if (isAlive(rec.pid)) await (opts.killTree ?? killTree)(rec.pid, 'SIGKILL');
        reaped.push(rec.pid);
      } else if (verdict === 'unknown') {
        opts.warn?.(`pid ${rec.pid} from a stale pidfile (${rec.instanceId}) could not be identified as our engine; it was left running`);
      }
      this.remove(rec.instanceId);
      // The dead engine's key file (see Supervisor.keyFileArgs) goes with it.
      rmSync(join(this.dir, `${safeFileName(rec.instanceId)}.key`), { force: true });
    }
    return reaped;
  }

  private file(instanceId: string): string {
    return join(this.dir, `${instanceId}.pid.json`);
  }
}

/**
 * Engines recorded under `runDir` that are alive and run a binary inside `dir`, whichever process
 * started them: the CLI sees the engines of a `serve` running beside it this way. A pid now held by
 * another program (reused) does not count.
 */
export async function liveEnginesIn(runDir: string, dir: string, identify: Identify = processIdentity, platform: NodeJS.Platform = process.platform): Promise<PidRecord[]> {
  const root = realPath(dir);
  const live: PidRecord[] = [];
  for (const rec of new PidFiles(runDir).list()) {
    if (!isAlive(rec.pid)) continue;
    const bin = realPath(rec.enginePath);
    if (!inside(bin, root, platform)) continue;
    if (compareIdentity({ exe: bin, startedAt: rec.startedAt }, await identify(rec.pid), platform) !== 'different') live.push(rec);
  }
  return live;
}

function inside(path: string, root: string, platform: NodeJS.Platform): boolean {
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  return fold(path).startsWith(fold(root) + sep);
}

/**
 * Whether the core that wrote a record still runs. Its pid alone does not say so: after a reboot
 * another program (or a new core) may hold it, so its start time must match too when recorded.
 */
async function ownedByLiveCore(rec: PidRecord, identify: Identify, platform?: NodeJS.Platform): Promise<boolean> {
  // Our own pid: a record of ours (reaping runs before any start) or of an earlier core that had it.
  if (rec.corePid === process.pid || !(rec.corePid > 0) || !isAlive(rec.corePid)) return false;
  if (!rec.coreStartedAt) return true; // an older record: trust the live pid, as before
  return compareIdentity({ startedAt: rec.coreStartedAt }, await identify(rec.corePid), platform) !== 'different';
}

/** When this process started, recorded in pidfiles so a later core can tell a reused pid from us. */
export const CORE_STARTED_MS = Date.now() - process.uptime() * 1000;

/** The resolved path (what the process table reports), or the recorded one when it is gone. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
