// Engines die with their core on Linux: the launch prefix that sets the parent-death signal.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

let deathSignalPrefix: string[] | null = null;

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Linux: the engine is started through util-linux `setpriv --pdeathsig SIGKILL`, which sets the
 * parent-death signal and then execs the engine (same pid): when the core dies, even by SIGKILL,
 * the kernel kills the engine at once instead of leaving it serving until the next start reaps it.
 * Without setpriv (or elsewhere) engines start plainly; reaping at start stays the backstop.
 */
export function parentDeathPrefix(): string[] {
  if (deathSignalPrefix) return deathSignalPrefix;
  deathSignalPrefix = [];
  if (process.platform === 'linux') {
    try {
      const help = execFileSync('setpriv', ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, windowsHide: true });
      if (help.includes('--pdeathsig')) deathSignalPrefix = ['setpriv', '--pdeathsig', 'SIGKILL', '--'];
    } catch {
      // no setpriv: plain spawn
    }
  }
  return deathSignalPrefix;
}
