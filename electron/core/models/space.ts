// Free-space checks before a copy or a download, so a full disk is a clear error up front rather
// than ENOSPC half-way through a 40 GB file.
import { mkdir, statfs } from 'node:fs/promises';
import { ModelError } from './errors.js';

export type FreeSpace = (dir: string) => Promise<number>;

export const freeSpace: FreeSpace = async (dir) => {
  await mkdir(dir, { recursive: true });
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

export async function assertSpace(dir: string, needed: number, what: string, free: FreeSpace = freeSpace): Promise<void> {
  if (needed <= 0) return;
  const available = await free(dir);
  if (available < needed) {
    throw new ModelError('insufficient_space', `not enough disk space for ${what}: needs ${gib(needed)}, ${gib(available)} free in ${dir}`, null);
  }
}

function gib(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
