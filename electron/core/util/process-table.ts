// The process table, per platform: which executable a pid runs and when that process started. The
// reaper uses it to make sure a pid from a stale pidfile still is *our* engine before killing it —
// pids are reused, and on Windows every logoff/shutdown leaves pidfiles behind. Reading is split from
// parsing: the parsers are pure and unit-tested with captured output of each platform's tool.
import { readFileSync, readlinkSync } from 'node:fs';
import { execa } from 'execa';

export interface ProcessIdentity {
  /** Absolute path of the running executable; null when the OS would not say (permissions). */
  exe: string | null;
  /** Wall-clock start of the process (ms since epoch); null when unknown. */
  startedAtMs: number | null;
}

/** Runs a helper tool; the seam unit tests replace to drive the macOS and Windows branches here. */
export type ToolRunner = (file: string, args: string[]) => Promise<{ ok: boolean; stdout: string }>;

export const runTool: ToolRunner = async (file, args) => {
  const r = await execa(file, args, { reject: false, stdin: 'ignore', timeout: 15_000, windowsHide: true });
  return { ok: r.exitCode === 0, stdout: String(r.stdout ?? '') };
};

/** What `pid` is now, or null when no process has that pid. */
export async function processIdentity(pid: number, platform: NodeJS.Platform = process.platform, run: ToolRunner = runTool): Promise<ProcessIdentity | null> {
  if (!(pid > 0)) return null;
  if (platform === 'linux') return linuxIdentity(pid);
  if (platform === 'win32') {
    const r = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', windowsQuery(pid)]);
    return r.ok ? parseWindowsProcess(r.stdout) : null;
  }
  // macOS and the BSDs: ps prints the elapsed time and, last (it may contain spaces), the executable.
  const r = await run('ps', ['-p', String(pid), '-o', 'etime=', '-o', 'comm=']);
  return r.ok ? parsePsEtime(r.stdout, Date.now()) : null;
}

function linuxIdentity(pid: number): ProcessIdentity | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  let exe: string | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    exe = null; // another user's process: the link is unreadable, the start time still is
  }
  return { exe, startedAtMs: linuxStartMs(stat, readFileSync('/proc/stat', 'utf8')) };
}

/** USER_HZ: fixed at 100 by the kernel ABI for /proc on every architecture Node supports. */
const LINUX_CLOCK_TICKS = 100;

/** Field 22 of /proc/<pid>/stat (start, in clock ticks after boot) + `btime` of /proc/stat. */
export function linuxStartMs(pidStat: string, procStat: string): number | null {
  // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
  const rest = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[19]); // field 22 is the 20th after field 2
  const btime = /^btime (\d+)$/m.exec(procStat);
  if (!Number.isFinite(ticks) || !btime) return null;
  return Number(btime[1]) * 1000 + (ticks * 1000) / LINUX_CLOCK_TICKS;
}

/** `ps -o etime= -o comm=`: `[[dd-]hh:]mm:ss /path/to/exe`. */
export function parsePsEtime(stdout: string, nowMs: number): ProcessIdentity | null {
  const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)\s+(.+?)\s*$/m.exec(stdout);
  if (!m) return null;
  const [, d, h, min, s, comm] = m;
  const elapsed = ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min)) * 60 + Number(s);
  return { exe: comm!, startedAtMs: nowMs - elapsed * 1000 };
}

function windowsQuery(pid: number): string {
  return (
    `$p = Get-CimInstance Win32_Process -Filter 'ProcessId=${Math.trunc(pid)}'; ` +
    `if ($p) { [pscustomobject]@{ exe = $p.ExecutablePath; start = $p.CreationDate.ToUniversalTime().ToString('o') } | ConvertTo-Json -Compress }`
  );
}

/** The JSON the PowerShell query prints; empty output means no such process. */
export function parseWindowsProcess(stdout: string): ProcessIdentity | null {
  const text = stdout.trim();
  if (!text) return null;
  try {
    const o = JSON.parse(text) as { exe?: string | null; start?: string | null };
    const start = o.start ? Date.parse(o.start) : NaN;
    return { exe: o.exe || null, startedAtMs: Number.isFinite(start) ? start : null };
  } catch {
    return null;
  }
}

export type IdentityVerdict = 'same' | 'different' | 'unknown';

/**
 * A pidfile's process is ours when the executable is the recorded one and it started when recorded.
 * The record is written right after spawn, so the two times differ by scheduling and clock
 * resolution (1 s for ps); a reused pid belongs to a process started at another time.
 */
export const START_TOLERANCE_MS = 30_000;

export function compareIdentity(expected: { exe?: string | null; startedAt?: string | null }, actual: ProcessIdentity | null, platform: NodeJS.Platform = process.platform): IdentityVerdict {
  if (!actual) return 'different';
  if (expected.exe) {
    if (!actual.exe) return 'unknown';
    if (!samePath(expected.exe, actual.exe, platform)) return 'different';
  }
  const recorded = expected.startedAt ? Date.parse(expected.startedAt) : NaN;
  if (!Number.isFinite(recorded) || actual.startedAtMs === null) return 'unknown';
  return Math.abs(actual.startedAtMs - recorded) <= START_TOLERANCE_MS ? 'same' : 'different';
}

/** Windows and macOS file systems are case-insensitive by default; ps on macOS may print only the name. */
function samePath(a: string, b: string, platform: NodeJS.Platform): boolean {
  const norm = (p: string) => {
    const s = platform === 'win32' ? p.replace(/\//g, '\\') : p;
    return platform === 'win32' || platform === 'darwin' ? s.toLowerCase() : s;
  };
  const [x, y] = [norm(a), norm(b)];
  if (x === y) return true;
  // ps on macOS prints the executable's name alone for some processes.
  return platform === 'darwin' && !y.includes('/') && x.endsWith(`/${y}`);
}
