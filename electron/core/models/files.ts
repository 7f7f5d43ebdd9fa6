// File helpers of the library: split-model shard names, copying with the sha256 computed in the same
// pass, and atomic JSON writes.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseGgufShardFilename } from '@huggingface/gguf';

export interface ShardName {
  prefix: string;
  index: number;
  total: number;
}

/** `model-00002-of-00003.gguf` → { prefix: 'model', index: 2, total: 3 }; null for a single file. */
export function shardName(fileName: string): ShardName | null {
  const s = parseGgufShardFilename(fileName);
  if (!s) return null;
  const index = Number(s.shard);
  const total = Number(s.total);
  if (index < 1 || total < 1 || index > total) return null;
  return { prefix: s.prefix, index, total };
}

export function shardFileName(prefix: string, index: number, total: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}-of-${String(total).padStart(5, '0')}.gguf`;
}

/** Every shard path of the model `path` belongs to, in order (just `[path]` for a single file). */
export function shardPaths(path: string): string[] {
  const s = shardName(basename(path));
  if (!s) return [path];
  return Array.from({ length: s.total }, (_, i) => join(dirname(path), shardFileName(s.prefix, i + 1, s.total)));
}

/** Copy `src` to `dst`, hashing the bytes as they pass; returns the sha256 (hex). */
export async function copyWithSha256(src: string, dst: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const read = createReadStream(src, { highWaterMark: 1 << 20 });
  const write = createWriteStream(dst, { flags: 'wx' });
  await (signal ? pipeline(read, tap, write, { signal }) : pipeline(read, tap, write));
  return hash.digest('hex');
}

/** Write JSON next to its target and rename over it: readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}
