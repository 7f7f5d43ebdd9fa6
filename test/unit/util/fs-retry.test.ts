// Renames that a virus scanner blocks for a moment (EPERM/EBUSY on Windows) are retried with backoff;
// real permission errors on POSIX are reported at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DELAYS_MS, renameWithRetrySync, transientOn, withFsRetry } from '../../../electron/core/util/fs-retry.js';
import { tempDir } from '../../helpers/tmp.js';

const fsError = (code: string) => Object.assign(new Error(`${code}: operation not permitted, rename`), { code, syscall: 'rename' });

describe('fs retries', () => {
  it('Windows: retries EPERM and EBUSY with growing delays until the scanner lets go', async () => {
    const slept: number[] = [];
    let calls = 0;
    const out = await withFsRetry(
      async () => {
        calls++;
        if (calls === 1) throw fsError('EPERM');
        if (calls === 2) throw fsError('EBUSY');
        return 'moved';
      },
      { delaysMs: DEFAULT_DELAYS_MS, retryable: transientOn('win32'), sleep: async (ms) => void slept.push(ms) },
    );
    expect(out).toBe('moved');
    expect(slept).toEqual([50, 100]);
  });

  it('Windows: gives up after the last delay with the original error', async () => {
    let calls = 0;
    const err = await withFsRetry(
      async () => {
        calls++;
        throw fsError('EBUSY');
      },
      { delaysMs: [1, 2, 3], retryable: transientOn('win32'), sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('EBUSY');
    expect(calls).toBe(4);
  });

  it('POSIX: EPERM is a real permission problem, reported without retrying; other codes never retry', async () => {
    expect(transientOn('linux')('EPERM')).toBe(false);
    expect(transientOn('darwin')('EBUSY')).toBe(false);
    expect(transientOn('win32')('ENOENT')).toBe(false);
    expect(transientOn('win32')('EACCES')).toBe(true);
    let calls = 0;
    await expect(
      withFsRetry(
        async () =>
          void (
            calls++,
            (() => {
              throw fsError('EPERM');
            })()
          ),
        { delaysMs: [1], retryable: transientOn('linux') },
      ),
    ).rejects.toThrow('EPERM');
    expect(calls).toBe(1);
  });

  it('the synchronous rename (settings, keys) renames for real and does not wait on a permanent error', () => {
    const dir = tempDir('fs-retry-');
    try {
      writeFileSync(`${dir.path}/a.tmp`, '{"v":1}');
      renameWithRetrySync(`${dir.path}/a.tmp`, `${dir.path}/a.json`);
      expect(readFileSync(`${dir.path}/a.json`, 'utf8')).toBe('{"v":1}');
      // A missing source is not transient: thrown at once, not after ~3 s of waiting.
      const t0 = Date.now();
      expect(() => renameWithRetrySync(`${dir.path}/missing`, `${dir.path}/b`, { delaysMs: [500, 500], retryable: transientOn('win32') })).toThrow(/ENOENT/);
      expect(Date.now() - t0).toBeLessThan(400);
    } finally {
      dir.cleanup();
    }
  });
});
