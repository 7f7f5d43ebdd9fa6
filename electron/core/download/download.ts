// Resumable, verified downloads shared by engine provisioning and the model library.
// Bytes stream into a `.part` file while their sha256 is computed beside them (on a worker where a
// core is spare, see hasher.ts; no second pass); an interrupted download resumes with an HTTP Range
// request (also after an app restart: the part file is the state); the caller moves the part into
// place only after `download()` resolves, so nothing corrupt or incomplete is ever registered.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchedWriter } from './batched-writer.js';
import { createHasher, InlineHasher, type Hasher } from './hasher.js';
import { type HttpAnswer, httpGet, HttpGetError } from './http-get.js';
import { downloadRanges, hasRangeState, RangesUnsupported, removeRangeState } from './ranged.js';
import { SlabWriter } from './slab-writer.js';

export interface DownloadProgress {
  bytes: number;
  totalBytes: number | null;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
}

export interface DownloadOptions {
  url: string;
  /** The partial file; also the resume state across restarts. */
  partPath: string;
  expectedSha256?: string | null;
  expectedBytes?: number | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Minimum ms between progress callbacks (the final one is always sent). */
  progressIntervalMs?: number;
  /**
   * Connections for one file of a known size (`expectedBytes`), each fetching a slice with a Range
   * request; 1 (the default) streams it over one. A part left by a ranged download is resumed as one
   * whatever this says.
   */
  connections?: number;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Bytes that were already on disk from an earlier, interrupted attempt. */
  resumedFrom: number;
}

export type DownloadErrorCode = 'http_error' | 'checksum_mismatch' | 'size_mismatch' | 'network' | 'aborted';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    /** Whether calling download() again continues from the bytes already on disk. */
    readonly resumable: boolean,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const CHUNK_LOG_INTERVAL_MS = 250;
/** Slices smaller than this gain nothing from their own connection. */
const MIN_SLICE_BYTES = 4 * 1024 * 1024;

export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  await mkdir(dirname(opts.partPath), { recursive: true });
  if (hasRangeState(opts.partPath) || (await rangedFits(opts))) {
    const ranged = await downloadRanged(opts);
    if (ranged) return ranged;
  }
  let have = await sizeOf(opts.partPath);
  if (opts.expectedBytes != null && have > opts.expectedBytes) {
    await rm(opts.partPath, { force: true });
    have = 0;
  }
  const hash = createHasher(opts.expectedBytes);
  try {
    return await downloadFrom(opts, hash, have);
  } finally {
    hash.close();
  }
}

async function rangedFits(opts: DownloadOptions): Promise<boolean> {
  const n = opts.connections ?? 1;
  // A part written over one connection resumes over one (its bytes are a prefix, not slices).
  return n > 1 && opts.expectedBytes != null && opts.expectedBytes >= n * MIN_SLICE_BYTES && (await sizeOf(opts.partPath)) === 0;
}

/** The ranged path; null when the server does not serve ranges (the part is then started over on one connection). */
async function downloadRanged(opts: DownloadOptions): Promise<DownloadResult | null> {
  const total = opts.expectedBytes;
  if (total == null) {
    await Promise.all([rm(opts.partPath, { force: true }), removeRangeState(opts.partPath)]);
    return null;
  }
  const hash = createHasher(total);
  try {
    const resumedFrom = await downloadRanges({ opts, total, connections: opts.connections ?? 1, hash, report: progressReporter(opts, 0, total) });
    const result = await finish(opts, hash, total, resumedFrom);
    await removeRangeState(opts.partPath);
    return result;
  } catch (err) {
    if (err instanceof RangesUnsupported) {
      await Promise.all([rm(opts.partPath, { force: true }), removeRangeState(opts.partPath)]);
      return null;
    }
    if (err instanceof DownloadError) {
      if (err.code === 'checksum_mismatch') await removeRangeState(opts.partPath);
      throw err;
    }
    const status = (err as { httpStatus?: number }).httpStatus;
    if (status !== undefined && !opts.signal?.aborted) throw new DownloadError('http_error', `download of ${redact(opts.url)} failed: HTTP ${status}`, status >= 500 || status === 429);
    throw asNetworkError(err, opts.signal);
  } finally {
    hash.close();
  }
}

/** Progress callbacks at most every `progressIntervalMs`, with the rate since `start` bytes. */
function progressReporter(opts: DownloadOptions, start: number, total: number | null): (bytes: number, force: boolean) => void {
  const t0 = performance.now();
  let lastReport = 0;
  const interval = opts.progressIntervalMs ?? CHUNK_LOG_INTERVAL_MS;
  return (bytes, force) => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const secs = (now - t0) / 1000;
    const rate = secs > 0 ? (bytes - start) / secs : null;
    opts.onProgress({ bytes, totalBytes: total, bytesPerSecond: rate, etaSeconds: rate && total ? Math.max(0, (total - bytes) / rate) : null });
  };
}

async function downloadFrom(opts: DownloadOptions, hash: Hasher, have: number): Promise<DownloadResult> {
  // The earlier bytes are hashed while the request goes out; both must succeed before streaming on.
  const earlier = hash.updateFromFile(opts.partPath, 0, have);
  earlier.catch(() => undefined);
  if (opts.expectedBytes != null && have === opts.expectedBytes) {
    await earlier;
    return finish(opts, hash, have, have);
  }

  let res: HttpAnswer;
  try {
    res = await httpGet(opts.url, { ...opts.headers, ...(have > 0 ? { range: `bytes=${have}-` } : {}) }, opts.signal);
  } catch (err) {
    throw asNetworkError(err, opts.signal);
  }
  try {
    await earlier;
  } catch (err) {
    res.discard();
    throw err;
  }
  if (res.status === 416 && have > 0) {
    // The part already holds every byte (no size was known up front): verify it as it is.
    res.discard();
    return finish(opts, hash, have, have);
  }
  if (res.status < 200 || res.status > 299) {
    res.discard();
    throw new DownloadError('http_error', `download of ${redact(opts.url)} failed: HTTP ${res.status} ${res.statusText}`, res.status >= 500 || res.status === 429);
  }
  const resumedFrom = have;
  if (have > 0 && res.status !== 206) {
    // The server ignored the Range header: start over from byte 0.
    return restartFromZero(opts, res);
  }
  if (res.status === 206 && !contentRangeStartsAt(res.header('content-range'), have)) {
    res.discard();
    await rm(opts.partPath, { force: true });
    throw new DownloadError('http_error', `server answered a resume request with an unexpected range (${res.header('content-range')}); the partial file was discarded, retry to start over`, true);
  }
  const total = totalFrom(res, have) ?? opts.expectedBytes ?? null;
  const bytes = await streamToFile(opts, res, hash, have, total, 'r+');
  return finish(opts, hash, bytes, resumedFrom);
}

async function restartFromZero(opts: DownloadOptions, res: HttpAnswer): Promise<DownloadResult> {
  const hash = createHasher(opts.expectedBytes);
  try {
    const total = totalFrom(res, 0) ?? opts.expectedBytes ?? null;
    const bytes = await streamToFile(opts, res, hash, 0, total, 'w');
    return await finish(opts, hash, bytes, 0);
  } finally {
    hash.close();
  }
}

async function streamToFile(opts: DownloadOptions, res: HttpAnswer, hash: Hasher, start: number, total: number | null, flags: 'r+' | 'w'): Promise<number> {
  // Writes go to explicit offsets ('r+' keeps the earlier bytes; 'a' would ignore the offsets).
  const fh = await open(opts.partPath, start > 0 ? flags : 'w');
  // Shared slabs only feed a hash worker; with the hash on this thread, received chunks are written as they are.
  const writer = hash instanceof InlineHasher ? new BatchedWriter(fh, hash, start) : new SlabWriter(fh, hash, start);
  let bytes = start;
  const progress = progressReporter(opts, start, total);
  const report = (force: boolean) => progress(bytes, force);
  try {
    for await (const value of res.body) {
      await writer.push(value);
      bytes += value.length;
      report(false);
    }
    await writer.flush();
    report(true);
  } catch (err) {
    res.discard();
    // Every byte received is on disk before the error leaves: the next attempt resumes exactly there.
    await writer.flushToDisk().catch(() => undefined);
    throw asNetworkError(err, opts.signal);
  } finally {
    await fh.close();
  }
  return bytes;
}

async function finish(opts: DownloadOptions, hash: Hasher, bytes: number, resumedFrom: number): Promise<DownloadResult> {
  const sha256 = await hash.digest();
  if (opts.expectedBytes != null && bytes !== opts.expectedBytes) {
    // Short read without an error: keep the part, the next attempt resumes.
    throw new DownloadError('size_mismatch', `download of ${redact(opts.url)} ended at ${bytes} of ${opts.expectedBytes} bytes`, true);
  }
  if (opts.expectedSha256 && sha256 !== opts.expectedSha256.toLowerCase()) {
    await rm(opts.partPath, { force: true });
    throw new DownloadError('checksum_mismatch', `checksum mismatch for ${redact(opts.url)}: expected sha256 ${opts.expectedSha256}, got ${sha256}; the file was discarded`, false);
  }
  return { path: opts.partPath, sha256, bytes, resumedFrom };
}

function asNetworkError(err: unknown, signal?: AbortSignal): DownloadError {
  if (signal?.aborted) return new DownloadError('aborted', 'download cancelled; the partial file is kept for resuming', true);
  if (err instanceof HttpGetError) return new DownloadError('network', `download failed: ${err.message}`, err.code !== 'unsupported_protocol');
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return new DownloadError('network', `download interrupted: ${e.code ?? e.cause?.code ?? e.cause?.message ?? e.message}; retry to resume`, true);
}

function totalFrom(res: HttpAnswer, offset: number): number | null {
  const range = res.header('content-range');
  const m = range ? /\/(\d+)\s*$/.exec(range) : null;
  if (m) return Number(m[1]);
  const len = res.header('content-length');
  return len !== null && res.status !== 206 ? Number(len) : len !== null ? offset + Number(len) : null;
}

function contentRangeStartsAt(header: string | null, start: number): boolean {
  const m = header ? /^bytes (\d+)-/.exec(header) : null;
  return m !== null && Number(m[1]) === start;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function hashFile(path: string, hash: ReturnType<typeof createHash>): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
}

/** URLs may carry tokens in query strings; never print those. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.search = '';
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '<url>';
  }
}

/** sha256 of a local file (imports, verify). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashFile(path, hash);
  return hash.digest('hex');
}
