// Parallel ranged download of one large file: N connections each fetch a slice into its place in
// the part file. One connection is often held to a fraction of the line by a CDN or a long path;
// Hugging Face and GitHub both serve Range. The slices' progress lives in `<part>.ranges.json`
// (what is on disk, never more), so a cut or a restart resumes every slice where it stopped. sha256
// needs the bytes in order, so the hasher follows the contiguous written prefix from the file
// (page cache) while the slices arrive; what is left after the last byte is the part written ahead
// of that prefix.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import type { DownloadOptions } from './download.js';
import type { Hasher } from './hasher.js';
import { httpGet } from './http-get.js';
import { SlabWriter } from './slab-writer.js';

export const RANGES_SUFFIX = '.ranges.json';
const SLICE_SLAB_BYTES = 1 << 20;
const SAVE_INTERVAL_MS = 1000;

interface Slice {
  start: number;
  /** Inclusive, as in a Range header. */
  end: number;
  /** Bytes of this slice on disk, counted from `start`. */
  done: number;
}

interface RangeState {
  version: 1;
  total: number;
  slices: Slice[];
}

/** The server does not serve the ranges asked for; the caller downloads over one connection. */
export class RangesUnsupported extends Error {}

/** Bytes on disk for a part file, whether it was written in one piece or in ranges. */
export function partBytesOnDisk(partPath: string): number {
  const state = readState(partPath);
  if (state) return state.slices.reduce((n, s) => n + s.done, 0);
  try {
    return statSync(partPath).size;
  } catch {
    return 0;
  }
}

export function hasRangeState(partPath: string): boolean {
  return existsSync(partPath + RANGES_SUFFIX);
}

export async function removeRangeState(partPath: string): Promise<void> {
  await rm(partPath + RANGES_SUFFIX, { force: true });
}

export interface RangedRun {
  opts: DownloadOptions;
  total: number;
  connections: number;
  hash: Hasher;
  report: (bytes: number, force: boolean) => void;
}

/** Downloads every missing byte and feeds the whole file to the hasher in order. Resolves with the bytes that were on disk before. */
export async function downloadRanges(run: RangedRun): Promise<number> {
  const { opts, total } = run;
  let state = readState(opts.partPath);
  if (!state || state.total !== total || !existsSync(opts.partPath)) {
    await rm(opts.partPath, { force: true });
    state = { version: 1, total, slices: split(total, run.connections) };
    await (await open(opts.partPath, 'w')).close();
    await saveState(opts.partPath, state);
  }
  const had = state.slices.reduce((n, s) => n + s.done, 0);
  const follower = new PrefixHasher(run.hash, opts.partPath, state.slices);
  follower.pump();
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const fh = await open(opts.partPath, 'r+');
  let received = had;
  // Saves run one after another: two writers of the temporary file could tear it.
  let saving: Promise<void> = Promise.resolve();
  const save = () => (saving = saving.then(() => saveState(opts.partPath, state)).catch(() => undefined));
  const timer = setInterval(save, SAVE_INTERVAL_MS);
  let firstError: unknown = null;
  try {
    const fetches = state.slices.map((slice) =>
      fetchSlice(
        opts,
        slice,
        fh,
        stop.signal,
        (n) => {
          received += n;
          run.report(received, false);
        },
        () => follower.pump(),
      ).catch((err: unknown) => {
        firstError ??= err;
        stop.abort(err); // one failed slice stops the others: the next attempt resumes them all
      }),
    );
    await Promise.all(fetches);
    if (firstError) throw firstError;
    run.report(received, true);
    await follower.finish(total);
    return had;
  } finally {
    clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await fh.close();
    await save();
  }
}

async function fetchSlice(opts: DownloadOptions, slice: Slice, fh: Awaited<ReturnType<typeof open>>, signal: AbortSignal, onBytes: (n: number) => void, onWritten: () => void): Promise<void> {
  const from = slice.start + slice.done;
  if (from > slice.end) return;
  const res = await httpGet(opts.url, { ...opts.headers, range: `bytes=${from}-${slice.end}` }, signal);
  if (res.status !== 206 || res.header('content-range')?.trim().replace(/\/.*$/, '') !== `bytes ${from}-${slice.end}`) {
    res.discard();
    if (res.status === 200 || res.status === 206) throw new RangesUnsupported(`the server answered a range request with ${res.status} ${res.header('content-range') ?? ''}`);
    throw Object.assign(new Error(`HTTP ${res.status} ${res.statusText}`), { httpStatus: res.status });
  }
  const writer = new SlabWriter(fh, null, from, SLICE_SLAB_BYTES, 3, (end) => {
    slice.done = end - slice.start;
    onWritten();
  });
  let at = from;
  try {
    for await (const chunk of res.body) {
      if (at + chunk.length > slice.end + 1) throw new Error('the server sent more bytes than the range asked for');
      await writer.push(chunk);
      at += chunk.length;
      onBytes(chunk.length);
    }
    await writer.flush();
  } catch (err) {
    res.discard();
    await writer.flushToDisk().catch(() => undefined); // every byte received stays for the resume
    throw err;
  }
  if (at !== slice.end + 1) throw new Error(`the range ${from}-${slice.end} ended at byte ${at}`);
}

/** Hashes the file's written prefix as it grows: one read at a time, in order. */
class PrefixHasher {
  private hashedTo = 0;
  private running: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly hash: Hasher,
    private readonly path: string,
    private readonly slices: Slice[],
  ) {}

  pump(): void {
    if (this.running || this.failure) return;
    const slice = this.slices.find((s) => this.hashedTo >= s.start && this.hashedTo <= s.end);
    const end = slice ? slice.start + slice.done : this.hashedTo;
    if (end <= this.hashedTo) return;
    this.running = this.hash.updateFromFile(this.path, this.hashedTo, end).then(
      () => {
        this.hashedTo = end;
        this.running = null;
        this.pump();
      },
      (err: unknown) => {
        this.failure = err;
        this.running = null;
      },
    );
  }

  async finish(total: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.hashedTo >= total) return;
      this.pump();
      if (!this.running) throw new Error(`sha256 stopped at byte ${this.hashedTo} of ${total}`);
      await this.running;
    }
  }
}

function split(total: number, n: number): Slice[] {
  const size = Math.ceil(total / n);
  const slices: Slice[] = [];
  for (let start = 0; start < total; start += size) slices.push({ start, end: Math.min(total, start + size) - 1, done: 0 });
  return slices;
}

function readState(partPath: string): RangeState | null {
  try {
    const s = JSON.parse(readFileSync(partPath + RANGES_SUFFIX, 'utf8')) as RangeState;
    const valid =
      s.version === 1 &&
      Number.isSafeInteger(s.total) &&
      Array.isArray(s.slices) &&
      s.slices.every((x) => Number.isSafeInteger(x.start) && Number.isSafeInteger(x.end) && Number.isSafeInteger(x.done) && x.done >= 0 && x.start + x.done <= x.end + 1);
    return valid ? s : null;
  } catch {
    return null; // absent or torn: the caller starts over (the part file alone says nothing about its holes)
  }
}

/** Renamed into place, so a crash leaves the old state or the new one; either understates what is on disk. */
async function saveState(partPath: string, state: RangeState): Promise<void> {
  const json = JSON.stringify({ version: 1, total: state.total, slices: state.slices.map((s) => ({ ...s })) });
  await writeFile(`${partPath}${RANGES_SUFFIX}.tmp`, json);
  await rename(`${partPath}${RANGES_SUFFIX}.tmp`, partPath + RANGES_SUFFIX);
}
