// A small tmpfs mounted by the test, to fill a disk for real (ENOSPC from the kernel, not a fake).
// Needs root (or CAP_SYS_ADMIN); where mounting is not allowed, `mountReason` says why and the
// tests that need it are skipped.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  path: string;
  /** Write a file until the disk is full; returns its path (remove it to free the space). */
  fill(): string;
  unmount(): void;
}

export function mountTmpfs(sizeMiB: number): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'llama-orch-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', path], { stdio: 'pipe' });
  return {
    path,
    fill() {
      const filler = join(path, 'filler');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) appendFileSync(filler, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
      // Smaller writes too: the last pages of the disk.
      try {
        for (;;) appendFileSync(filler, Buffer.alloc(512, 1));
      } catch {
        /* full */
      }
      return filler;
    },
    unmount() {
      try {
        execFileSync('umount', [path], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      }
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Why a tmpfs cannot be mounted here, or null when it can (tried once). */
export const mountReason: string | null = (() => {
  if (process.platform !== 'linux') return 'mounting a tmpfs needs Linux';
  try {
    mountTmpfs(1).unmount();
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim()}`;
  }
})();
