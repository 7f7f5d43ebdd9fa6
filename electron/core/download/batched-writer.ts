// The writer where the hash runs on the event loop (fewer than 3 cores, small files): each received
// chunk is hashed as it arrives and kept by reference (a socket read is a fresh Buffer), and the
// chunks are written with one positional writev per batch while the next batch fills. No copy.
// The slab writer (slab-writer.ts) copies every byte into 4 MiB shared slabs so that a hash worker
// can read them; without that worker the copy buys nothing. Measured on the 2-core machine (256 MiB
// over loopback, alternating with the writer before stop 28 in one process): with 4 MiB slabs a
// download took 1.7–2.4x as long; batched like this, 4 MiB batches took 1.3–1.8x, 2 MiB 1.04x and
// 1 MiB 0.96x (probably: the bytes are written while still in the CPU's cache after the hash read
// them); 1.10x `curl -o` of the same file.
import type { FileHandle } from 'node:fs/promises';
import type { InlineHasher } from './hasher.js';

const BATCH_BYTES = 1024 * 1024;

export class BatchedWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The write in flight: writes stay in file order, one at a time, so a failure never leaves a hole before later bytes. */
  private inFlight: Promise<unknown> = Promise.resolve();
  private position: number;

  constructor(
    private readonly fh: FileHandle,
    private readonly hasher: InlineHasher,
    startPosition: number,
    private readonly batchBytes = BATCH_BYTES,
  ) {
    this.position = startPosition;
  }

  /** Hashes the chunk and queues it (kept, not copied: it must not change afterwards); waits only while the batch before is still being written. */
  async push(chunk: Uint8Array): Promise<void> {
    this.hasher.updateNow(chunk);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.batchBytes) return;
    await this.inFlight; // a failed write surfaces here
    this.inFlight = this.writePending();
    this.inFlight.catch(() => undefined); // awaited later; not an unhandled rejection meanwhile
  }

  /** Writes everything taken so far; resolves when it is on disk (it is already in the hash). */
  async flush(): Promise<void> {
    await this.inFlight;
    this.inFlight = this.writePending();
    await this.inFlight;
  }

  /** The error path: every byte received reaches the disk, so the next attempt resumes exactly there. */
  flushToDisk(): Promise<void> {
    return this.flush();
  }

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    let batch = this.pending;
    const at = this.position;
    this.position += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    // writev may write less than asked (a full disk answers with an error on the next call).
    for (let pos = at; batch.length > 0;) {
      const { bytesWritten } = await this.fh.writev(batch, pos);
      pos += bytesWritten;
      batch = rest(batch, bytesWritten);
    }
  }
}

/** The buffers after the first `n` bytes of `list`. */
function rest(list: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < list.length && n >= list[i]!.length) n -= list[i++]!.length;
  if (i === list.length) return [];
  return n > 0 ? [list[i]!.subarray(n), ...list.slice(i + 1)] : list.slice(i);
}
