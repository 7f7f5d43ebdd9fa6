// Received chunks are copied into a few shared slabs; each full slab is written to the part file
// and hashed at the same time (the write on libuv's thread pool, the hash on the hasher's worker)
// while the next slab fills. One memcpy per byte buys that overlap: before, the event loop hashed
// every chunk itself and then queued its write. Used with the hash worker (3 cores or more) and for
// parallel slices; with the hash on the event loop, batched-writer.ts is faster (measured there).
// The 4 MiB slab size was not measured against smaller ones on a machine with spare cores.
import type { FileHandle } from 'node:fs/promises';
import type { Hasher } from './hasher.js';

const SLAB_BYTES = 4 * 1024 * 1024;
// Six slabs in flight absorb a hash worker that is late to be scheduled; three stalled the socket.
const SLAB_COUNT = 6;

interface Slab {
  bytes: Uint8Array;
  used: number;
  /** Write and hash of this slab's last contents; the slab is reused only after both settled. */
  busy: Promise<unknown>;
}

export class SlabWriter {
  private readonly slabs: Slab[];
  private current = 0;
  /** Writes stay in file order, one at a time: a failed write never leaves a hole before later bytes. */
  private writes: Promise<unknown> = Promise.resolve();
  private position: number;

  constructor(
    private readonly fh: FileHandle,
    /** Null: write only (parallel ranges are hashed from the file, in order, by their owner). */
    private readonly hasher: Hasher | null,
    startPosition: number,
    slabBytes = SLAB_BYTES,
    slabCount = SLAB_COUNT,
    /** Called with the file offset up to which this writer's bytes are on disk. */
    private readonly onWritten?: (end: number) => void,
  ) {
    this.position = startPosition;
    this.slabs = Array.from({ length: slabCount }, () => ({ bytes: new Uint8Array(new SharedArrayBuffer(slabBytes)), used: 0, busy: Promise.resolve() }));
  }

  /** Takes a chunk (copied: the caller may reuse it); waits only when every slab is still in flight. */
  async push(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const slab = this.slabs[this.current]!;
      const n = Math.min(chunk.length - off, slab.bytes.length - slab.used);
      slab.bytes.set(n === chunk.length ? chunk : chunk.subarray(off, off + n), slab.used);
      slab.used += n;
      off += n;
      if (slab.used === slab.bytes.length) await this.submit();
    }
  }

  /** Writes and hashes everything taken so far; resolves when it is on disk and in the hash. */
  async flush(): Promise<void> {
    if (this.slabs[this.current]!.used > 0) await this.submit();
    await Promise.all(this.slabs.map((s) => s.busy));
  }

  /** Like flush, for the error path: the bytes reach the disk even when the hash cannot continue. */
  async flushToDisk(): Promise<void> {
    const slab = this.slabs[this.current]!;
    if (slab.used > 0) this.writes = this.writes.then(() => this.writeAll(slab.bytes.subarray(0, slab.used), this.position));
    await this.writes;
  }

  private async submit(): Promise<void> {
    const slab = this.slabs[this.current]!;
    const view = slab.bytes.subarray(0, slab.used);
    const at = this.position;
    this.position += view.length;
    slab.used = 0;
    this.writes = this.writes.then(() => this.writeAll(view, at));
    slab.busy = Promise.all([this.writes, this.hasher?.update(view)]);
    slab.busy.catch(() => undefined); // awaited before reuse or in flush; not unhandled meanwhile
    this.current = (this.current + 1) % this.slabs.length;
    await this.slabs[this.current]!.busy; // a failed write or hash surfaces here
  }

  private async writeAll(view: Uint8Array, at: number): Promise<void> {
    for (let off = 0; off < view.length;) {
      const { bytesWritten } = await this.fh.write(view, off, view.length - off, at + off);
      off += bytesWritten;
    }
    this.onWritten?.(at + view.length);
  }
}
