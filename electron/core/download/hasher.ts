// sha256 for downloads, computed beside the download instead of on its event loop. A profile of a
// 256 MiB loopback download (node --cpu-prof) put a third of the main thread's busy time in
// hash.update: the socket, the file writes and the hash all waited on one thread while curl's
// equivalent (`curl | sha256sum`) spreads them over two processes. The worker reads the bytes from
// the same shared slabs the file writes use (no copy, no transfer) and reads an earlier part file
// itself when a download resumes.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Hasher {
  /** Adds bytes in order; the view must stay unchanged until the promise resolves. */
  update(bytes: Uint8Array): Promise<void>;
  /** Adds bytes [start, end) of a file (a part file left by an earlier attempt, ranges written in parallel). */
  updateFromFile(path: string, start: number, end: number): Promise<void>;
  digest(): Promise<string>;
  /** Frees the worker; safe to call more than once and after a failure. */
  close(): void;
}

/** Below this size a worker's start-up (tens of ms on a busy machine) costs more than it saves. */
export const WORKER_HASH_MIN_BYTES = 8 * 1024 * 1024;

/**
 * The worker only pays off with a core to spare. On the 2-core bench machine (engine, server, client
 * and other jobs sharing both) the hand-offs waited on the scheduler: 128 MiB took 1.5x as long as
 * with the hash inline (interleaved A/B, load 20), at about the same CPU.
 */
export const WORKER_HASH_MIN_CORES = 3;

export function createHasher(expectedBytes: number | null | undefined, cores = availableParallelism()): Hasher {
  const small = expectedBytes != null && expectedBytes < WORKER_HASH_MIN_BYTES;
  return small || cores < WORKER_HASH_MIN_CORES ? new InlineHasher() : WorkerHasher.take();
}

export class InlineHasher implements Hasher {
  private readonly hash: Hash = createHash('sha256');

  update(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    return Promise.resolve();
  }

  /** The same, without a promise (the batched writer hashes every received chunk). */
  updateNow(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  updateFromFile(path: string, start: number, end: number): Promise<void> {
    if (end <= start) return Promise.resolve();
    return new Promise((resolve, reject) => {
      createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })
        .on('data', (chunk) => this.hash.update(chunk))
        .on('end', () => resolve())
        .on('error', reject);
    });
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  close(): void {}
}

// Plain CommonJS evaluated in the worker: no file to locate next to the compiled module, so it
// works the same from the sources (tests), dist/ and a packaged app.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
let hash = createHash('sha256');
let shared = [];
function fromFile(path, start, end) {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = start; pos < end; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) throw new Error('the part file is shorter than expected');
      hash.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  if (m.op === 'share') return void (shared[m.slot] = m.buffer);
  if (m.op === 'reset') return void ((hash = createHash('sha256')), (shared = []));
  try {
    if (m.op === 'update') hash.update(new Uint8Array(shared[m.slot], m.offset, m.length));
    else if (m.op === 'file') fromFile(m.path, m.start, m.end);
    parentPort.postMessage({ id: m.id, hex: m.op === 'digest' ? hash.digest('hex') : null });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

type Reply = { id: number; hex: string | null; error?: string };

/** Idle workers kept for the next download: starting one took ~40 ms of CPU and, on a loaded machine, 0.4 s. */
const idle: WorkerHasher[] = [];
const IDLE_KEEP = 1;
const IDLE_MS = 30_000;

export class WorkerHasher implements Hasher {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (hex: string | null) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  /** Each slab is posted once: posting a SharedArrayBuffer with every update cost ~1 ms a message. */
  private readonly slots = new Map<SharedArrayBuffer, number>();
  private failure: Error | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  /** A started idle worker, or a new one. */
  static take(): WorkerHasher {
    const w = idle.pop();
    if (!w || w.failure) return new WorkerHasher(); // a failed idle worker has already exited
    clearTimeout(w.idleTimer!);
    return w;
  }

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref(); // never what keeps a process alive
    this.worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (r.error !== undefined) w?.reject(new Error(`sha256: ${r.error}`));
      else w?.resolve(r.hex);
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.waiting.values()) w.reject(this.failure);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('sha256: the hashing worker stopped')));
  }

  async update(bytes: Uint8Array): Promise<void> {
    const buffer = bytes.buffer;
    if (!(buffer instanceof SharedArrayBuffer)) throw new TypeError('WorkerHasher.update needs bytes in a SharedArrayBuffer');
    let slot = this.slots.get(buffer);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(buffer, slot);
      this.worker.postMessage({ op: 'share', buffer, slot });
    }
    await this.call({ op: 'update', slot, offset: bytes.byteOffset, length: bytes.byteLength });
  }

  async updateFromFile(path: string, start: number, end: number): Promise<void> {
    if (end > start) await this.call({ op: 'file', path, start, end });
  }

  async digest(): Promise<string> {
    return (await this.call({ op: 'digest' }))!;
  }

  /** Back to the idle pool with a fresh hash (or stopped when the pool is full or the worker failed). */
  close(): void {
    if (this.failure || idle.length >= IDLE_KEEP || idle.includes(this)) {
      if (!idle.includes(this)) void this.worker.terminate();
      return;
    }
    this.slots.clear();
    this.worker.postMessage({ op: 'reset' });
    idle.push(this);
    this.idleTimer = setTimeout(() => {
      idle.splice(idle.indexOf(this), 1);
      void this.worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private call(message: Record<string, unknown>): Promise<string | null> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}
