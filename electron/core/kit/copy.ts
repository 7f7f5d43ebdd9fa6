// Copying one kit file while hashing it, resuming a copy an earlier run left half-done: the bytes
// already in the `.part` file are hashed in place and only the rest is read from the kit.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface CopyResult {
  sha256: string;
  resumedBytes: number;
  copiedBytes: number;
}

const CHUNK = 1 << 20;

/**
 * Copy `src` to `dst` through `dst.part`, continuing an existing `.part` when it is shorter than
 * `size`. The `.part` becomes `dst` only when the whole file hashes to `sha256`; a resumed copy that
 * does not is started again once from zero (the cut may have left a bad tail), then given up.
 */
export async function copyVerified(src: string, dst: string, expect: { size: number; sha256: string }, onBytes: (n: number) => void, signal?: AbortSignal): Promise<CopyResult> {
  const part = `${dst}.part`;
  const have = (await stat(part).catch(() => null))?.size ?? 0;
  const first = await copyFrom(src, part, have <= expect.size ? have : 0, onBytes, signal);
  if (first.sha256 === expect.sha256) {
    await rename(part, dst);
    return first;
  }
  if (first.resumedBytes > 0) {
    const again = await copyFrom(src, part, 0, onBytes, signal);
    if (again.sha256 === expect.sha256) {
      await rename(part, dst);
      return { ...again, resumedBytes: 0 };
    }
    first.sha256 = again.sha256;
  }
  await rm(part, { force: true });
  return { ...first, resumedBytes: 0 };
}

async function copyFrom(src: string, part: string, offset: number, onBytes: (n: number) => void, signal?: AbortSignal): Promise<CopyResult> {
  const hash = createHash('sha256');
  if (offset > 0) {
    for await (const chunk of createReadStream(part, { start: 0, end: offset - 1, highWaterMark: CHUNK })) hash.update(chunk as Buffer);
    onBytes(offset);
  }
  let copied = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      copied += chunk.length;
      try {
        onBytes(chunk.length);
      } catch (err) {
        return cb(err as Error); // a failing progress sink stops the copy, it never escapes the stream
      }
      cb(null, chunk);
    },
  });
  // `r+` keeps the bytes before `start`; a fresh copy truncates.
  const out = offset > 0 ? createWriteStream(part, { flags: 'r+', start: offset }) : createWriteStream(part, { flags: 'w' });
  const read = createReadStream(src, { start: offset, highWaterMark: CHUNK });
  await (signal ? pipeline(read, tap, out, { signal }) : pipeline(read, tap, out));
  return { sha256: hash.digest('hex'), resumedBytes: offset, copiedBytes: copied };
}
