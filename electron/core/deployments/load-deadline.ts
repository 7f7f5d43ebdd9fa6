// How long an engine may take to load a model before it is declared failed: a fixed base plus
// twice the time it takes to read the file at the speed measured on its disk, so a 40 GB model on a
// slow disk gets its time instead of being killed and restarted forever. (While the engine prints
// load progress the supervisor waits longer still: supervisor/instance.ts.)
import { open, stat } from 'node:fs/promises';

const SAMPLE_BYTES = 16 * 1024 * 1024;
/** Never assume a disk slower than this (a measurement of a few cached MiB can mislead both ways). */
const SLOWEST_BYTES_PER_SECOND = 20 * 1024 * 1024;

/** Pure: the deadline for a file of `fileBytes` read at `bytesPerSecond`. */
export function loadDeadlineMs(fileBytes: number, bytesPerSecond: number, baseMs: number): number {
  const speed = Math.max(SLOWEST_BYTES_PER_SECOND, Number.isFinite(bytesPerSecond) ? bytesPerSecond : 0);
  return Math.round(baseMs + (2 * fileBytes * 1000) / speed);
}

/** Bytes per second reading the first 16 MiB of the file (what the engine reads next anyway). */
export async function measureReadSpeed(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    const started = performance.now();
    let read = 0;
    while (read < SAMPLE_BYTES) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? read / seconds : Infinity;
  } finally {
    await fh.close();
  }
}

/** The deadline for loading this file on this machine; the base alone when the file cannot be read. */
export async function loadDeadlineFor(path: string, baseMs: number): Promise<number> {
  try {
    const [{ size }, speed] = await Promise.all([stat(path), measureReadSpeed(path)]);
    return loadDeadlineMs(size, speed, baseMs);
  } catch {
    return baseMs;
  }
}
