// Parallel ranged downloads against a real local HTTP server: slices on several connections, a cut
// in every slice resumed from the state file, verification of the whole file, and the fallback to
// one connection for a server that ignores Range.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { download, DownloadError, type DownloadProgress } from '../../electron/core/download/download.js';
import { partBytesOnDisk, RANGES_SUFFIX } from '../../electron/core/download/ranged.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { tempDir } from '../helpers/tmp.js';

const SIZE = 20 * 1024 * 1024 + 12_345; // slices of unequal length: the last one is shorter
const CONNECTIONS = 4;

describe('download() over parallel ranges', () => {
  let server: FileServer;
  const tmp = tempDir();
  let source: string;
  let content: Buffer;
  let sha: string;
  let part: string;
  let n = 0;

  beforeAll(async () => {
    content = randomBytes(SIZE);
    sha = createHash('sha256').update(content).digest('hex');
    source = join(tmp.path, 'big.bin');
    writeFileSync(source, content);
    server = await startFileServer();
    server.routes.set('/big.bin', { file: source });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });
  beforeEach(() => {
    server.reset();
    part = join(tmp.path, `big-${++n}.part`);
  });
  const url = () => `${server.url}/big.bin`;

  it('fetches the slices on separate connections, verifies the whole file and leaves no state behind', async () => {
    const progress: DownloadProgress[] = [];
    const r = await download({ url: url(), partPath: part, expectedSha256: sha, expectedBytes: SIZE, connections: CONNECTIONS, progressIntervalMs: 0, onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ sha256: sha, bytes: SIZE, resumedFrom: 0 });
    expect(readFileSync(part).equals(content)).toBe(true);
    const ranges = server.log.map((l) => l.range);
    expect(ranges).toHaveLength(CONNECTIONS);
    expect(ranges.every((x) => x !== null && /^bytes=\d+-\d+$/.test(x))).toBe(true);
    expect(ranges).toContain(`bytes=0-${Math.ceil(SIZE / CONNECTIONS) - 1}`);
    expect(progress.at(-1)).toMatchObject({ bytes: SIZE, totalBytes: SIZE });
    expect(existsSync(part + RANGES_SUFFIX)).toBe(false);
  });

  it('resumes a download cut in every slice from where each slice stopped, and verifies it', async () => {
    server.faults.cutAfterBytes = 1_500_000;
    const first = (await download({ url: url(), partPath: part, expectedSha256: sha, expectedBytes: SIZE, connections: CONNECTIONS }).catch((e: unknown) => e)) as DownloadError;
    expect(first).toBeInstanceOf(DownloadError);
    expect(first.resumable).toBe(true);
    expect(existsSync(part + RANGES_SUFFIX)).toBe(true);
    const kept = partBytesOnDisk(part);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(CONNECTIONS * 1_500_000);

    server.faults.cutAfterBytes = null;
    server.log.length = 0;
    const r = await download({ url: url(), partPath: part, expectedSha256: sha, expectedBytes: SIZE, connections: CONNECTIONS });
    expect(r).toMatchObject({ sha256: sha, bytes: SIZE, resumedFrom: kept });
    expect(readFileSync(part).equals(content)).toBe(true);
    // The resume asked only for what was missing: the requested ranges add up to the rest of the file.
    const asked = server.log.map((l) => /^bytes=(\d+)-(\d+)$/.exec(l.range ?? '')!).reduce((sum, m) => sum + Number(m[2]) - Number(m[1]) + 1, 0);
    expect(asked).toBe(SIZE - kept);
    expect(existsSync(part + RANGES_SUFFIX)).toBe(false);
  });

  it('rejects a corrupted byte with checksum_mismatch and discards the part and its state', async () => {
    server.faults.corruptByteAt = 4242;
    const err = (await download({ url: url(), partPath: part, expectedSha256: sha, expectedBytes: SIZE, connections: CONNECTIONS }).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('checksum_mismatch');
    expect(existsSync(part)).toBe(false);
    expect(existsSync(part + RANGES_SUFFIX)).toBe(false);
  });

  it('falls back to one connection when the server ignores Range', async () => {
    server.faults.ignoreRange = true;
    const r = await download({ url: url(), partPath: part, expectedSha256: sha, expectedBytes: SIZE, connections: CONNECTIONS });
    expect(r).toMatchObject({ sha256: sha, bytes: SIZE });
    expect(readFileSync(part).equals(content)).toBe(true);
    expect(existsSync(part + RANGES_SUFFIX)).toBe(false);
  });
});
