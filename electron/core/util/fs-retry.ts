// File moves that survive what Windows and other drives do to them. A rename fails with EPERM/EBUSY
// (or EACCES) for a moment while an antivirus scanner holds a freshly written file open — retried
// with backoff; and with EXDEV when source and target are on different drives or mounts — done as
// copy + verify + rename, removing the source only once the copy is in place. Never does a failed
// move delete the data it was moving.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, renameSync } from 'node:fs';
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Errors a scanner or indexer causes for a short while on Windows (EACCES too: a file open for delete). */
const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES']);

export interface RetryPolicy {
  /** Delays between attempts; the number of retries is its length. */
  delaysMs: readonly number[];
  /** Whether a failure of this code is retried (default: EPERM/EBUSY/EACCES, on Windows only). */
  retryable?: (code: string | undefined) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** ~3 s in all: longer than a Defender scan of an engine archive's files, short enough to report. */
export const DEFAULT_DELAYS_MS = [50, 100, 200, 400, 800, 1600] as const;

export function transientOn(platform: NodeJS.Platform): (code: string | undefined) => boolean {
  // On POSIX these codes mean a real permission problem: retrying would only delay the message.
  return (code) => platform === 'win32' && code !== undefined && TRANSIENT.has(code);
}

const defaultPolicy = (): RetryPolicy => ({ delaysMs: DEFAULT_DELAYS_MS, retryable: transientOn(process.platform) });

/** Run `op`, retrying transient lock errors with backoff; the last error is thrown unchanged. */
export async function withFsRetry<T>(op: () => Promise<T>, policy: RetryPolicy = defaultPolicy()): Promise<T> {
  const retryable = policy.retryable ?? transientOn(process.platform);
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const delay = policy.delaysMs[attempt];
      if (delay === undefined || !retryable((err as NodeJS.ErrnoException).code)) throw err;
      await sleep(delay);
    }
  }
}

export function renameWithRetry(from: string, to: string, policy?: RetryPolicy): Promise<void> {
  return withFsRetry(() => rename(from, to), policy);
}

/**
 * The synchronous variant for the settings and keys stores, whose writes are synchronous by design.
 * Waits block the thread (Atomics.wait), only on Windows and only while a scanner holds the file.
 */
export function renameWithRetrySync(from: string, to: string, policy: Omit<RetryPolicy, 'sleep'> = defaultPolicy()): void {
  const retryable = policy.retryable ?? transientOn(process.platform);
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (err) {
      const delay = policy.delaysMs[attempt];
      if (delay === undefined || !retryable((err as NodeJS.ErrnoException).code)) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    }
  }
}

export interface MoveOptions {
  /** sha256 the copy must have when the move crosses devices (the verified download's hash). */
  sha256?: string | null;
  retry?: RetryPolicy;
  /** The rename step (tests inject EXDEV where no second file system exists). */
  rename?: (from: string, to: string) => Promise<void>;
}

/**
 * Move a file to `to`: a rename where possible; across devices a copy beside the target, checked
 * against the size (and sha256 when given), renamed into place, then the source removed. On any
 * failure the source is still there and no partial target is left.
 */
export async function moveFile(from: string, to: string, opts: MoveOptions = {}): Promise<'renamed' | 'copied'> {
  const doRename = opts.rename ?? ((a: string, b: string) => renameWithRetry(a, b, opts.retry));
  try {
    await doRename(from, to);
    return 'renamed';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  const partial = join(dirname(to), `.${basename(to)}.${randomBytes(4).toString('hex')}.copying`);
  try {
    await copyFile(from, partial);
    const [src, dst] = await Promise.all([stat(from), stat(partial)]);
    if (src.size !== dst.size) throw new Error(`copy of ${from} to ${dirname(to)} is ${dst.size} bytes, not ${src.size}`);
    if (opts.sha256) {
      const got = await sha256Of(partial);
      if (got !== opts.sha256.toLowerCase()) throw new Error(`copy of ${from} to ${dirname(to)} has sha256 ${got}, not ${opts.sha256}`);
    }
    await renameWithRetry(partial, to, opts.retry);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await withFsRetry(() => rm(from, { force: true }), opts.retry);
  return 'copied';
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
