// The batched writer (downloads whose hash runs on the event loop): every byte lands at its offset in
// order and in the hash, also when the file takes less than a whole batch per write, and a failed
// write surfaces instead of being skipped.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../../electron/core/download/batched-writer.js';
import { InlineHasher } from '../../../electron/core/download/hasher.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const data = randomBytes(300_000);

/** Chunks of uneven sizes, like socket reads. */
function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.min(bytes.length - at, 1 + ((i * 7919) % 40_000));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** The real file, whose writev takes at most `limit` bytes per call (as a nearly full disk or a pipe may). */
function shortWrites(fh: FileHandle, limit: number): FileHandle {
  return new Proxy(fh, {
    get(target, prop) {
      if (prop !== 'writev') return Reflect.get(target, prop, target) as unknown;
      return (buffers: Uint8Array[], position: number) => {
        const taken: Uint8Array[] = [];
        let left = limit;
        for (const b of buffers) {
          if (left === 0) break;
          taken.push(b.subarray(0, Math.min(b.length, left)));
          left -= taken.at(-1)!.length;
        }
        return target.writev(taken, position);
      };
    },
  });
}

describe('BatchedWriter', () => {
  it.each([
    ['whole writes', Infinity],
    ['short writes', 4_099],
  ])('writes every byte at its offset after what the file held, and hashes them (%s)', async (_what, limit) => {
    const path = join(tmp.path, `part-${limit}`);
    const before = Buffer.from('kept bytes of an earlier attempt');
    writeFileSync(path, before);
    const fh = await open(path, 'r+');
    const hasher = new InlineHasher();
    try {
      const writer = new BatchedWriter(Number.isFinite(limit) ? fh : shortWrites(fh, limit), hasher, before.length, 64 * 1024);
      for (const c of chunks(data)) await writer.push(c);
      await writer.flush();
    } finally {
      await fh.close();
    }
    expect(readFileSync(path).equals(Buffer.concat([before, data]))).toBe(true);
    expect(await hasher.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('reports a failed write instead of going on', async () => {
    const path = join(tmp.path, 'read-only');
    writeFileSync(path, '');
    const fh = await open(path, 'r'); // writes fail with EBADF
    try {
      const writer = new BatchedWriter(fh, new InlineHasher(), 0, 1024);
      const pushing = (async () => {
        for (const c of chunks(data)) await writer.push(c);
        await writer.flush();
      })();
      await expect(pushing).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      await fh.close();
    }
  });
});
