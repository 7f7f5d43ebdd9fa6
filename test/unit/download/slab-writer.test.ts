// The slab writer (downloads hashed on a worker, where a core is spare; parallel slices): every byte
// lands at its offset and in the worker's hash, whatever the chunk sizes, slab size and slab count.
// On a 2-core machine downloads take the batched writer instead, so this is where the slab path runs.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerHasher } from '../../../electron/core/download/hasher.js';
import { SlabWriter } from '../../../electron/core/download/slab-writer.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const data = randomBytes(700_001);

describe('SlabWriter', () => {
  it.each([
    ['slabs larger than the chunks', 256 * 1024, 3],
    ['chunks larger than the slabs', 10_000, 2],
  ])('writes every byte after what the file held and hashes them on the worker (%s)', async (_what, slabBytes, slabCount) => {
    const path = join(tmp.path, `part-${slabBytes}`);
    const before = Buffer.from('kept bytes of an earlier attempt');
    writeFileSync(path, before);
    const fh = await open(path, 'r+');
    const hasher = WorkerHasher.take();
    const written: number[] = [];
    try {
      const writer = new SlabWriter(fh, hasher, before.length, slabBytes, slabCount, (end) => written.push(end));
      for (let at = 0, i = 0; at < data.length; i++) {
        const n = Math.min(data.length - at, 1 + ((i * 7919) % 40_000));
        await writer.push(data.subarray(at, at + n));
        at += n;
      }
      await writer.flush();
      expect(await hasher.digest()).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      hasher.close();
      await fh.close();
    }
    expect(readFileSync(path).equals(Buffer.concat([before, data]))).toBe(true);
    // Progress of what is on disk only grows, and ends at the last byte.
    expect(written).toEqual([...written].sort((a, b) => a - b));
    expect(written.at(-1)).toBe(before.length + data.length);
  });
});
