// Resumable, verified downloads against a real local HTTP server serving the real model file.
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { download, DownloadError, type DownloadProgress } from '../../electron/core/download/download.js';
import { httpGet } from '../../electron/core/download/http-get.js';
import { waitFor } from '../helpers/processes.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const SIZE = statSync(STORIES_MODEL).size;
const SHA = createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex');

describe('download()', () => {
  let server: FileServer;
  const tmp = tempDir();
  let part: string;
  let n = 0;

  beforeAll(async () => {
    server = await startFileServer();
    server.routes.set('/model.gguf', { file: STORIES_MODEL });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });
  beforeEach(() => {
    server.reset();
    part = join(tmp.path, `model-${++n}.part`);
  });

  it('downloads a file, hashing while streaming, with progress up to the total', async () => {
    const progress: DownloadProgress[] = [];
    const r = await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA, onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    expect(r).toMatchObject({ sha256: SHA, bytes: SIZE, resumedFrom: 0 });
    expect(readFileSync(part).equals(readFileSync(STORIES_MODEL))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ bytes: SIZE, totalBytes: SIZE });
    expect(progress.at(-1)!.etaSeconds).toBe(0);
  });

  it('resumes a cut download with a Range request and ends with the right bytes', async () => {
    server.faults.cutAfterBytes = 400_000;
    const first = await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DownloadError);
    expect((first as DownloadError).resumable).toBe(true);
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(400_000);
    server.faults.cutAfterBytes = null;
    const r = await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA });
    expect(r).toMatchObject({ sha256: SHA, bytes: SIZE, resumedFrom: kept });
    expect(server.log.at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(readFileSync(part).equals(readFileSync(STORIES_MODEL))).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    writeFileSync(part, readFileSync(STORIES_MODEL).subarray(0, 1000));
    server.faults.ignoreRange = true;
    const r = await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA });
    expect(r).toMatchObject({ sha256: SHA, bytes: SIZE, resumedFrom: 0 });
  });

  it('rejects a corrupted byte with checksum_mismatch and discards the file', async () => {
    server.faults.corruptByteAt = 12345;
    const err = (await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA }).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('checksum_mismatch');
    expect(err.message).toContain(SHA);
    expect(existsSync(part)).toBe(false);
  });

  it('reports HTTP errors with the status and no partial file', async () => {
    const err = (await download({ url: `${server.url}/missing.gguf`, partPath: part }).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('http_error');
    expect(err.message).toContain('404');
    expect(existsSync(part)).toBe(false);
  });

  it('is cancellable and keeps the bytes so far for resuming', async () => {
    const ac = new AbortController();
    const err = (await download({
      url: `${server.url}/model.gguf`,
      partPath: part,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => p.bytes > 100_000 && ac.abort(),
    }).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('aborted');
    const r = await download({ url: `${server.url}/model.gguf`, partPath: part, expectedSha256: SHA });
    expect(r.sha256).toBe(SHA);
    expect(r.resumedFrom).toBeGreaterThan(0);
  });

  it('follows redirects to another origin (as a hub to its CDN), keeping Range and dropping credentials', async () => {
    const cdn = await startFileServer();
    try {
      const seen: { where: string; authorization: string | null; range: string | null }[] = [];
      const record = (where: string) => (req: IncomingMessage) => seen.push({ where, authorization: req.headers.authorization ?? null, range: req.headers.range ?? null });
      server.routes.set('/resolve/model.gguf', (req, res) => {
        record('hub')(req);
        res.writeHead(302, { location: `${cdn.url}/signed/model.gguf?sig=x` }).end();
      });
      cdn.routes.set('/signed/model.gguf', (req, res) => {
        record('cdn')(req);
        res.writeHead(307, { location: '/model.gguf' }).end(); // relative: resolved against the CDN
      });
      cdn.routes.set('/model.gguf', { file: STORIES_MODEL });
      writeFileSync(part, readFileSync(STORIES_MODEL).subarray(0, 1000));
      const r = await download({ url: `${server.url}/resolve/model.gguf`, partPath: part, expectedSha256: SHA, headers: { Authorization: 'Bearer secret' } });
      expect(r).toMatchObject({ sha256: SHA, bytes: SIZE, resumedFrom: 1000 });
      expect(seen).toEqual([
        { where: 'hub', authorization: 'Bearer secret', range: 'bytes=1000-' },
        { where: 'cdn', authorization: null, range: 'bytes=1000-' },
      ]);
      expect(cdn.log.at(-1)).toEqual({ path: '/model.gguf', range: 'bytes=1000-' });
    } finally {
      await cdn.close();
    }
  });

  it('stops after 5 redirects with a clear error', async () => {
    server.routes.set('/loop', (_req, res) => void res.writeHead(302, { location: '/loop' }).end());
    const err = (await download({ url: `${server.url}/loop`, partPath: part }).catch((e: unknown) => e)) as DownloadError;
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(server.log.filter((l) => l.path === '/loop')).toHaveLength(6);
    expect(existsSync(part)).toBe(false);
  });

  it('hands out every byte received before a cut connection, then the error, also to a reader that comes late', async () => {
    server.faults.cutAfterBytes = Math.floor(SIZE / 2);
    const res = await httpGet(`${server.url}/model.gguf`);
    // The cut has happened before the first read (a loaded machine's slow consumer): everything the
    // server sent is waiting in buffers.
    await waitFor(() => server.log.length > 0 && server.faults.cutAfterBytes !== null, 'the request to be served');
    await new Promise((r) => setTimeout(r, 300));
    let got = 0;
    const err = await (async () => {
      for await (const chunk of res.body) got += chunk.length;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(got).toBe(Math.floor(SIZE / 2));
  });
});
