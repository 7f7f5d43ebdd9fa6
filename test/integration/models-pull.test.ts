// Pulling models from a hub: a real local HTTP server plays Hugging Face (the endpoints
// @huggingface/hub calls, and resolve/<rev>/<file> with Range) serving the real stories260K model.
// Cut connections resume, a corrupted byte is refused, nothing half-done enters the library.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CoreEvent, ProgressEvent } from '../../electron/contract/index.js';
import { DownloadError } from '../../electron/core/download/download.js';
import { ModelError } from '../../electron/core/models/errors.js';
import { searchHub } from '../../electron/core/models/hub.js';
import { ModelLibrary } from '../../electron/core/models/library.js';
import { PullManager, type PullManagerOptions } from '../../electron/core/models/pull.js';
import { Listeners } from '../../electron/core/util/emitter.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const SIZE = statSync(STORIES_MODEL).size;
const SHA = createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex');
const REPO = 'karpathy/stories-GGUF';
const RESOLVE = `/${REPO}/resolve/${'a'.repeat(40)}/stories260K-Q8_0.gguf`;
/** The repo's vision projector: other bytes than the model (part files are named by content). */
const PROJECTOR = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(1020, 7)]);
const PROJECTOR_SHA = createHash('sha256').update(PROJECTOR).digest('hex');

describe('model pulls from a (fake) hub', () => {
  let hub: FakeHub;
  let tmp: ReturnType<typeof tempDir>;
  let lib: ModelLibrary;
  let events: Listeners<CoreEvent>;
  let seen: ProgressEvent[];
  const managers: PullManager[] = [];
  const pulls = (over: Partial<PullManagerOptions> = {}) => {
    const m = new PullManager({ library: lib, downloadsDir: join(tmp.path, 'downloads'), events, hub: () => ({ endpoint: hub.url, token: null }), retryDelayMs: 10, progressIntervalMs: 0, ...over });
    managers.push(m);
    return m;
  };
  const parts = () => (existsSync(join(tmp.path, 'downloads')) ? readdirSync(join(tmp.path, 'downloads')) : []);

  beforeAll(async () => {
    hub = await startFakeHub([
      {
        repo: REPO,
        downloads: 1234,
        cardLicense: 'mit',
        files: [
          { path: 'stories260K-Q8_0.gguf', file: STORIES_MODEL },
          { path: 'stories260K-F16.gguf', file: STORIES_MODEL },
          { path: 'mmproj-stories-F16.gguf', body: PROJECTOR },
          { path: 'README.md', body: Buffer.from('# stories'), lfs: false },
        ],
      },
      { repo: 'slow/stories-GGUF', files: [{ path: 'slow-Q4_K_M.gguf', file: STORIES_MODEL, bytesPerSecond: 256 * 1024 }] },
      { repo: 'slow/other-GGUF', files: [{ path: 'other-Q4_K_M.gguf', file: STORIES_MODEL, bytesPerSecond: 256 * 1024 }] },
      { repo: 'meta/gated-GGUF', token: 'hf_secret', files: [{ path: 'gated-Q4_K_M.gguf', file: STORIES_MODEL }] },
      { repo: 'liar/stories-GGUF', files: [{ path: 'liar-Q4_K_M.gguf', file: STORIES_MODEL, sha256: 'f'.repeat(64) }] },
      { repo: 'odd/not-a-model-GGUF', files: [{ path: 'odd-Q4_K_M.gguf', body: Buffer.from('<html>Access denied</html>') }] },
    ]);
  });
  afterAll(async () => {
    await hub.close();
  });
  beforeEach(() => {
    tmp = tempDir();
    lib = new ModelLibrary({ modelsDir: join(tmp.path, 'models') });
    events = new Listeners();
    seen = [];
    events.subscribe((e) => e.type === 'progress' && e.kind === 'model-pull' && seen.push(e));
    Object.assign(hub.server.faults, { cutAfterBytes: null, corruptByteAt: null, ignoreRange: false });
    hub.server.log.length = 0;
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.cancelAll();
    tmp.cleanup();
  });

  it("pulls owner/repo:quant (case-insensitive) with the repo's vision projector, verifies the LFS sha256 and registers the model with its facts", async () => {
    const p = pulls();
    const job = await p.start({ repo: `${REPO}:q8_0` });
    const TOTAL = SIZE + PROJECTOR.length;
    expect(job).toMatchObject({ repo: REPO, files: ['stories260K-Q8_0.gguf', 'mmproj-stories-F16.gguf'], modelId: 'stories260k-q8_0', totalBytes: TOTAL });
    const m = await p.wait(job.id);
    expect(m.files).toHaveLength(1);
    expect(m.files[0]).toMatchObject({ name: 'stories260K-Q8_0.gguf', sha256: SHA, sizeBytes: SIZE });
    expect(m.mmproj).toMatchObject({
      name: 'mmproj-stories-F16.gguf',
      sha256: PROJECTOR_SHA,
      sizeBytes: PROJECTOR.length,
      path: join(tmp.path, 'models', 'stories260k-q8_0', 'mmproj-stories-F16.gguf'),
    });
    expect(readFileSync(m.mmproj!.path).equals(PROJECTOR)).toBe(true);
    expect(lib.list().find((s) => s.id === m.id)?.mmproj).toBe('mmproj-stories-F16.gguf');
    expect(readFileSync(m.files[0]!.path).equals(readFileSync(STORIES_MODEL))).toBe(true);
    expect(m.source).toEqual({ kind: 'hub', repo: REPO, revision: 'a'.repeat(40), file: 'stories260K-Q8_0.gguf', endpoint: hub.url, cardLicense: 'mit' });
    // stories260K's GGUF names no licence, so the library shows the model card's.
    expect(m.facts.license).toBeNull();
    expect(lib.list().find((s) => s.id === m.id)?.license).toEqual({ id: 'mit', link: null, from: 'hub-card' });
    expect(m.facts).toMatchObject({ architecture: 'llama', blockCount: 5, embeddingLength: 64, headCount: 8, headCountKv: 4, contextLength: 2048 });
    expect(lib.resolve(`${REPO}:Q8_0`)?.id).toBe('stories260k-q8_0');
    expect(p.get(job.id)).toMatchObject({ state: 'done', bytes: TOTAL });
    expect(seen[0]).toMatchObject({ id: job.id, state: 'running', bytes: 0, totalBytes: TOTAL });
    expect(seen.at(-1)).toMatchObject({ id: job.id, state: 'done', bytes: TOTAL, totalBytes: TOTAL, error: null });
    expect(seen.filter((e) => e.bytes > 0 && e.bytes < SIZE).length).toBeGreaterThan(0);
    expect(parts()).toEqual([]);
    expect(hub.server.log.map((l) => l.path)).toContain(RESOLVE);
  });

  it('keeps the bytes of a cut download and resumes them with Range after a restart', async () => {
    hub.server.faults.cutAfterBytes = Math.floor(SIZE / 2);
    const first = pulls({ retries: 0 });
    const job = await first.start({ repo: REPO, file: 'stories260K-Q8_0.gguf' });
    const err = await first.wait(job.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).message).toMatch(/download interrupted.*retry to resume/);
    expect(first.get(job.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/interrupted/) });
    expect(seen.at(-1)).toMatchObject({ state: 'failed' });
    expect(lib.list()).toEqual([]);
    const kept = statSync(join(tmp.path, 'downloads', `${SHA}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(SIZE / 2);

    hub.server.faults.cutAfterBytes = null;
    const restarted = pulls(); // a new manager: what an app restart leaves is the part file
    const again = await restarted.start({ repo: REPO, file: 'stories260K-Q8_0.gguf' });
    const m = await restarted.wait(again.id);
    expect(m.files[0]!.sha256).toBe(SHA);
    expect(hub.server.log.filter((l) => l.path === RESOLVE).at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(parts()).toEqual([]);
  });

  it('lists a pull cut off for good as paused in a new manager (its sidecar, never the token) and resumes the same job with Range', async () => {
    hub.server.faults.cutAfterBytes = Math.floor(SIZE / 2);
    const first = pulls({ retries: 0, hub: () => ({ endpoint: hub.url, token: 'hf_secret' }) });
    const job = await first.start({ repo: 'meta/gated-GGUF' });
    await first.wait(job.id).catch(() => undefined);
    expect(first.get(job.id)!.state).toBe('failed');
    const sidecar = readFileSync(join(tmp.path, 'downloads', `${job.id}.pull.json`), 'utf8');
    expect(sidecar).not.toContain('hf_secret');
    expect(JSON.parse(sidecar)).toMatchObject({
      id: job.id,
      modelId: 'gated-q4_k_m',
      resolved: { repo: 'meta/gated-GGUF', revision: 'a'.repeat(40), endpoint: hub.url, files: [{ path: 'gated-Q4_K_M.gguf', size: SIZE, sha256: SHA }] },
    });
    const kept = statSync(join(tmp.path, 'downloads', `${SHA}.part`)).size;
    expect(kept).toBeGreaterThan(0);

    hub.server.faults.cutAfterBytes = null;
    const restarted = pulls({ hub: () => ({ endpoint: hub.url, token: 'hf_secret' }) });
    expect(restarted.list()).toEqual([{ id: job.id, repo: 'meta/gated-GGUF', files: ['gated-Q4_K_M.gguf'], modelId: 'gated-q4_k_m', state: 'paused', bytes: kept, totalBytes: SIZE, error: null }]);
    await expect(restarted.wait(job.id)).rejects.toThrow(/paused; resume it/);
    expect((await restarted.resume(job.id)).id).toBe(job.id);
    const m = await restarted.wait(job.id);
    expect(m.files[0]!.sha256).toBe(SHA);
    const gated = hub.server.log.filter((l) => l.path.includes('gated-Q4_K_M.gguf'));
    expect(gated.at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(restarted.get(job.id)).toMatchObject({ state: 'done', bytes: SIZE });
    expect(parts()).toEqual([]); // part moved into the library, sidecar removed
  });

  it('pauses a running pull (kept across managers) and discards a paused one: part and sidecar deleted', async () => {
    const p = pulls();
    const a = await p.start({ repo: 'slow/stories-GGUF' });
    await until(() => (p.get(a.id)?.bytes ?? 0) > 64 * 1024);
    expect(p.pause(a.id).id).toBe(a.id);
    await expect(p.wait(a.id)).rejects.toThrow(/paused/);
    expect(p.get(a.id)!.state).toBe('paused');
    expect(seen.filter((e) => e.id === a.id).at(-1)!.state).toBe('paused');
    expect(parts().sort()).toEqual([`${SHA}.part`, `${a.id}.pull.json`]);
    // The same pull asked for again (the CLI after a restart) resumes the paused job rather than starting another.
    const again = pulls();
    expect(again.get(a.id)!.state).toBe('paused');
    const resumed = await again.start({ repo: 'slow/stories-GGUF' });
    expect(resumed.id).toBe(a.id);
    await until(() => again.get(a.id)!.state === 'running');
    again.pause(a.id);
    await again.wait(a.id).catch(() => undefined);
    const discarded = await again.cancel(a.id);
    expect(discarded).toMatchObject({ state: 'cancelled', bytes: 0 });
    expect(parts()).toEqual([]);
    expect(pulls().list()).toEqual([]);
    expect(lib.list()).toEqual([]);
  });

  it('resumes by itself after dropped connections, up to the retry limit', async () => {
    hub.server.faults.cutAfterBytes = Math.floor(SIZE * 0.4);
    const p = pulls({ retries: 3 });
    const job = await p.start({ repo: `${REPO}:stories260K-Q8_0.gguf` });
    const m = await p.wait(job.id);
    expect(m.files[0]!.sha256).toBe(SHA);
    const ranges = hub.server.log.filter((l) => l.path === RESOLVE).map((l) => l.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeNull();
    expect(ranges.slice(1).every((r) => /^bytes=\d+-$/.test(r ?? ''))).toBe(true);
  });

  it('refuses a corrupted byte: checksum mismatch, nothing registered, no partial file left', async () => {
    hub.server.faults.corruptByteAt = 123_456;
    const p = pulls();
    const job = await p.start({ repo: `${REPO}:Q8_0` });
    const err = (await p.wait(job.id).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('checksum_mismatch');
    expect(err.message).toContain(SHA);
    expect(p.get(job.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/checksum mismatch/) });
    expect(lib.list()).toEqual([]);
    expect(existsSync(join(tmp.path, 'models', 'stories260k-q8_0'))).toBe(false);
    expect(parts()).toEqual([]);
  });

  it('refuses a file whose bytes do not match the hub-advertised sha256', async () => {
    const p = pulls();
    const job = await p.start({ repo: 'liar/stories-GGUF' });
    const err = (await p.wait(job.id).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('checksum_mismatch');
    expect(lib.list()).toEqual([]);
  });

  it('refuses a verified download that is not a GGUF model and deletes it', async () => {
    const p = pulls();
    const job = await p.start({ repo: 'odd/not-a-model-GGUF' });
    const err = (await p.wait(job.id).catch((e: unknown) => e)) as ModelError;
    expect(err.modelCode).toBe('not_gguf');
    expect(err.message).toMatch(/^odd-Q4_K_M.gguf is not a GGUF model file/);
    expect(lib.list()).toEqual([]);
    expect(parts()).toEqual([]);
  });

  it('checks free space up front, counting the bytes a part file already holds', async () => {
    const err = (await pulls({ freeSpace: async () => 1000 })
      .start({ repo: `${REPO}:Q8_0` })
      .catch((e: unknown) => e)) as ModelError;
    expect(err.modelCode).toBe('insufficient_space');
    expect(err.message).toMatch(/not enough disk space for karpathy\/stories-GGUF:stories260K-Q8_0.gguf: needs 1\.1 MiB, 0\.0 MiB free/);
    hub.server.faults.cutAfterBytes = Math.floor(SIZE * 0.75);
    const first = pulls({ retries: 0 });
    await first.wait((await first.start({ repo: `${REPO}:Q8_0` })).id).catch(() => undefined);
    const kept = statSync(join(tmp.path, 'downloads', `${SHA}.part`)).size;
    hub.server.faults.cutAfterBytes = null;
    const tight = pulls({ freeSpace: async () => SIZE - kept + PROJECTOR.length + 1 });
    expect((await tight.wait((await tight.start({ repo: `${REPO}:Q8_0` })).id)).files[0]!.sha256).toBe(SHA);
  });

  it('runs at most N pulls at once, queues the rest, and cancels keeping the bytes for a resume', async () => {
    const p = pulls({ maxConcurrent: 1 });
    const a = await p.start({ repo: 'slow/stories-GGUF' });
    const b = await p.start({ repo: 'slow/other-GGUF' });
    await until(() => (p.get(a.id)?.bytes ?? 0) > 64 * 1024);
    expect(p.get(a.id)!.state).toBe('running');
    expect(p.get(b.id)!.state).toBe('queued');
    // Pulling the same thing again returns the running job instead of a second writer.
    expect((await p.start({ repo: 'slow/stories-GGUF' })).id).toBe(a.id);
    p.cancel(a.id);
    const err = (await p.wait(a.id).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('aborted');
    expect(p.get(a.id)!.state).toBe('cancelled');
    expect(seen.filter((e) => e.id === a.id).at(-1)!.state).toBe('cancelled');
    expect(parts().filter((n) => n.endsWith('.part'))).toHaveLength(1);
    expect(parts()).not.toContain(`${a.id}.pull.json`); // cancelled: no longer listed after a restart
    await until(() => p.get(b.id)!.state === 'running');
    p.cancel(b.id);
    await p.wait(b.id).catch(() => undefined);
    expect(lib.list()).toEqual([]);
  });

  it('asks for a token for a gated repo, and sends it when one is set', async () => {
    const err = await pulls()
      .start({ repo: 'meta/gated-GGUF' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toMatch(/access denied .*HTTP 401.*set HF_TOKEN/);
    const p = pulls({ hub: () => ({ endpoint: hub.url, token: 'hf_secret' }) });
    const m = await p.wait((await p.start({ repo: 'meta/gated-GGUF' })).id);
    expect(m.id).toBe('gated-q4_k_m');
    expect(hub.apiLog.filter((l) => l.path.includes('gated')).every((l) => l.auth === 'Bearer hf_secret' || l.auth === null)).toBe(true);
    expect(hub.apiLog.some((l) => l.path.includes('gated') && l.auth === 'Bearer hf_secret')).toBe(true);
  });

  it('explains what is available when the quant, file or repo does not exist', async () => {
    const p = pulls();
    await expect(p.start({ repo: `${REPO}:Q2_K` })).rejects.toThrow(/has no Q2_K file; quants there: (Q8_0, F16|F16, Q8_0)/);
    await expect(p.start({ repo: REPO, file: 'nope.gguf' })).rejects.toThrow(/has no file nope.gguf/);
    await expect(p.start({ repo: REPO })).rejects.toThrow(/several GGUF models; name one/);
    await expect(p.start({ repo: 'nobody/nothing' })).rejects.toThrow(/repo nobody\/nothing: not found/);
    await expect(p.start({ repo: '../etc/passwd' })).rejects.toThrow(/is not a Hugging Face repo name/);
    await expect(p.start({ repo: `${REPO}:Q8_0`, id: '../x' })).rejects.toThrow(/invalid model id/);
  });

  it('refuses to pull into an id that is already taken', async () => {
    await lib.import(STORIES_MODEL, { id: 'stories260k-q8_0' });
    await expect(pulls().start({ repo: `${REPO}:Q8_0` })).rejects.toThrow(/already in the library/);
  });

  it('searches GGUF repos and lists their model files (shard 1 only, quant labels)', async () => {
    const hits = await searchHub({ endpoint: hub.url, token: null }, 'stories');
    const h = hits.find((x) => x.repo === REPO)!;
    expect(h).toMatchObject({ downloads: 1234, updatedAt: '2026-01-02T03:04:05.000Z' });
    expect(h.files).toEqual([
      { name: 'stories260K-Q8_0.gguf', sizeBytes: null, quant: 'Q8_0' },
      { name: 'stories260K-F16.gguf', sizeBytes: null, quant: 'F16' },
      { name: 'mmproj-stories-F16.gguf', sizeBytes: null, quant: 'F16' },
    ]);
    expect(hits.map((x) => x.repo)).not.toContain('meta/gated-GGUF');
    expect(hub.apiLog.at(-1)!.path).toMatch(/search=stories.*filter=gguf/);
  });
});

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
