// The download hashers: the worker and the inline one give createHash's digest, from shared slabs and
// from file ranges, and a worker taken again from the idle pool starts a fresh hash.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlineHasher, WorkerHasher } from '../../../electron/core/download/hasher.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const data = randomBytes(3 * 1024 * 1024 + 17);
const expected = createHash('sha256').update(data).digest('hex');
const file = join(tmp.path, 'data.bin');
writeFileSync(file, data);

function shared(bytes: Uint8Array): Uint8Array {
  const v = new Uint8Array(new SharedArrayBuffer(bytes.length));
  v.set(bytes);
  return v;
}

describe.each([
  ['worker', () => WorkerHasher.take()],
  ['inline', () => new InlineHasher()],
])('%s hasher', (_name, make) => {
  it('hashes slabs and file ranges in order to the same digest as createHash', async () => {
    const h = make();
    try {
      await h.updateFromFile(file, 0, 1_000_000);
      const slab = shared(data.subarray(1_000_000, 2_000_000));
      await h.update(slab.subarray(0, 500_000));
      await h.update(slab.subarray(500_000));
      await h.updateFromFile(file, 2_000_000, data.length);
      expect(await h.digest()).toBe(expected);
    } finally {
      h.close();
    }
  });

  it('starts from an empty hash when taken again after close', async () => {
    const first = make();
    await first.update(shared(Buffer.from('something else')));
    first.close();
    const h = make();
    try {
      await h.update(shared(data));
      expect(await h.digest()).toBe(expected);
    } finally {
      h.close();
    }
  });
});

it('a worker hasher rejects a read past the end of the file instead of hashing less', async () => {
  const h = WorkerHasher.take();
  try {
    await expect(h.updateFromFile(file, 0, data.length + 10)).rejects.toThrow(/shorter/);
  } finally {
    h.close();
  }
});
