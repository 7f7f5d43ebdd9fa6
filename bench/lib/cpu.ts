// CPU time of a shell command (user + system of all its processes), from bash's `time`: what a
// client costs in work, apart from how long it waited for cores on a small machine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs `command` under bash's `time` (asynchronously: a server in this process keeps serving). */
export async function timedShell(command: string): Promise<{ stdout: string; cpuSeconds: number }> {
  const { stdout, stderr } = await execFileAsync('bash', ['-c', `TIMEFORMAT='cpu %U %S'; time { ${command}; }`], { maxBuffer: 16 * 1024 * 1024 });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no timing from bash: ${stderr}`);
  return { stdout, cpuSeconds: Number(m[1]) + Number(m[2]) };
}

/** CPU seconds of this process (every thread: hash worker, libuv's pool) since `from`. */
export function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

/** Accumulated CPU seconds and runs per client. */
export class CpuTally {
  private readonly totals = new Map<string, { seconds: number; runs: number }>();

  add(client: string, seconds: number): void {
    const t = this.totals.get(client) ?? { seconds: 0, runs: 0 };
    t.seconds += seconds;
    t.runs++;
    this.totals.set(client, t);
  }

  /** Mean CPU ms per unit (e.g. per MB) of one run of `client`. */
  msPer(client: string, units: number): number {
    const t = this.totals.get(client);
    return t ? (t.seconds * 1000) / t.runs / units : NaN;
  }
}
