// Pidfiles under <data>/run/ so a core that was killed can reap its engines at the next start.
// A pid is only killed after checking that it still is the llama-server we started.
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { safeFileName } from '../util/file-name.js';
import { killGroup } from './process.js';

export interface PidRecord {
  pid: number;
  instanceId: string;
  enginePath: string;
  startedAt: string;
  corePid: number;
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
   * Kill engines left by a previous core that did not stop them (it was SIGKILLed or crashed).
   * Returns the pids that were reaped.
   */
  async reapOrphans(isOurEngine: (rec: PidRecord) => boolean = isSameProcess): Promise<number[]> {
    const reaped: number[] = [];
    for (const rec of this.list()) {
      if (rec.corePid !== process.pid && isAlive(rec.corePid) && rec.corePid > 0) continue; // another live core owns it
      if (isAlive(rec.pid) && isOurEngine(rec)) {
        killGroup(rec.pid, 'SIGTERM');
        for (let i = 0; i < 50 && isAlive(rec.pid); i++) await new Promise((r) => setTimeout(r, 50));
        if (isAlive(rec.pid)) killGroup(rec.pid, 'SIGKILL');
        reaped.push(rec.pid);
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
 * started them: the CLI sees the engines of a `serve` running beside it this way.
 */
export function liveEnginesIn(runDir: string, dir: string): PidRecord[] {
  const root = realPath(dir) + sep;
  return new PidFiles(runDir).list().filter((rec) => isAlive(rec.pid) && (runningBinary(rec)?.startsWith(root) ?? false));
}

/** The binary a recorded engine runs: /proc/<pid>/exe on Linux (the pid may have been reused), else the record. */
function runningBinary(rec: PidRecord): string | null {
  if (process.platform !== 'linux') return realPath(rec.enginePath);
  try {
    return readlinkSync(`/proc/${rec.pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    try {
      const argv0 = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      return argv0 ? realPath(argv0) : null;
    } catch {
      return null;
    }
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
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

/** On Linux, compare /proc/<pid>/cmdline with the recorded engine path; elsewhere trust the pid name check. */
function isSameProcess(rec: PidRecord): boolean {
  if (process.platform === 'linux') {
    try {
      const argv0 = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      return argv0 === rec.enginePath || argv0.endsWith('llama-server');
    } catch {
      return false;
    }
  }
  return true;
}
