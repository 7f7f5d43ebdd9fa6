// `<data>/run/core.json` (0600): where a running core listens and its admin token, so the CLI
// (`llama-orch ps`, `load`, `logs`…) talks to the core that owns the engines instead of starting
// its own. Written after listen, removed on stop; a file whose pid is dead is ignored.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './supervisor/pidfiles.js';

export interface ControlInfo {
  url: string;
  pid: number;
  adminToken: string;
}

export function controlFile(runDir: string): string {
  return join(runDir, 'core.json');
}

export function writeControlFile(runDir: string, info: ControlInfo): void {
  const file = controlFile(runDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The file, if it is ours to remove (another core may have replaced it). */
export function removeControlFile(runDir: string, pid = process.pid): void {
  if (readControlFile(runDir)?.pid === pid) rmSync(controlFile(runDir), { force: true });
}

/** The running core of a data dir, or null when none runs. */
export function readControlFile(runDir: string): ControlInfo | null {
  try {
    const info = JSON.parse(readFileSync(controlFile(runDir), 'utf8')) as ControlInfo;
    return typeof info.url === 'string' && isAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}
