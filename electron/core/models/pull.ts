// Pulls from the hub: resolve the files, download each into <data>/downloads/<sha256>.part (the part
// is the resume state, also across restarts: a later pull of the same file sends a Range request),
// verify the sha256 against the LFS oid while streaming, then hand the files to the library. At most
// `maxConcurrent` pulls download at once; the rest queue. Progress goes out as `model-pull` events.
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODEL_PULL_EVENT_KIND, type CoreEvent, type ModelManifest, type ProgressEvent, type PullInfo, type PullModelRequest, type PullState } from '../../contract/index.js';
import { download, DownloadError, type DownloadProgress } from '../download/download.js';
import type { Listeners } from '../util/emitter.js';
import { ModelError } from './errors.js';
import { checkRepo, parsePullSpec, resolvePull, type HubConfig, type HubFile, type PullSpec, type ResolvedPull } from './hub.js';
import { slugify } from './ids.js';
import { stemOf, type DownloadedFile, type ModelLibrary } from './library.js';
import { Semaphore } from './semaphore.js';
import { assertSpace, type FreeSpace } from './space.js';

export interface PullManagerOptions {
  library: ModelLibrary;
  downloadsDir: string;
  events: Listeners<CoreEvent>;
  hub: () => HubConfig;
  maxConcurrent?: number;
  /** Automatic resumes after a dropped connection, per file. */
  retries?: number;
  retryDelayMs?: number;
  progressIntervalMs?: number;
  /** Free bytes in a folder (a seam for tests; default statfs). */
  freeSpace?: FreeSpace;
}

interface Job {
  info: PullInfo;
  resolved: ResolvedPull;
  controller: AbortController;
  done: Promise<ModelManifest>;
  startedAt: number;
}

const FINAL: PullState[] = ['done', 'failed', 'cancelled'];

export class PullManager {
  private readonly jobs = new Map<string, Job>();
  private readonly slots: Semaphore;

  constructor(private readonly opts: PullManagerOptions) {
    this.slots = new Semaphore(opts.maxConcurrent ?? 2);
  }

  /** Resolve what to pull (errors here are the caller's: unknown repo, no such quant) and queue it. */
  async start(req: PullModelRequest): Promise<PullInfo> {
    const spec = specOf(req);
    const resolved = await resolvePull(this.opts.hub(), spec, req.revision ?? 'main');
    const same = [...this.jobs.values()].find((j) => !FINAL.includes(j.info.state) && j.resolved.repo === resolved.repo && j.resolved.files[0]?.path === resolved.files[0]?.path);
    if (same) return { ...same.info };
    const modelId = this.opts.library.newId(stemOf(resolved.files[0]!.name), req.id);
    let needed = 0;
    for (const f of resolved.files) needed += f.size - (await stat(this.partPath(resolved, f)).then((s) => s.size, () => 0));
    await assertSpace(this.opts.downloadsDir, needed, `${resolved.repo}:${resolved.files[0]!.name}`, this.opts.freeSpace);
    const release = this.opts.library.reserve(modelId);
    const info: PullInfo = {
      id: `pull-${randomBytes(6).toString('hex')}`,
      repo: resolved.repo,
      files: resolved.files.map((f) => f.path),
      modelId,
      state: 'queued',
      bytes: 0,
      totalBytes: resolved.files.reduce((s, f) => s + f.size, 0),
      error: null,
    };
    const job: Job = { info, resolved, controller: new AbortController(), done: Promise.resolve(null as unknown as ModelManifest), startedAt: performance.now() };
    this.jobs.set(info.id, job);
    this.emit(job, null);
    job.done = this.run(job).finally(release);
    job.done.catch(() => undefined);
    return { ...info };
  }

  /** The manifest once the pull is in the library; rejects with why it failed or was cancelled. */
  wait(id: string): Promise<ModelManifest> {
    return this.job(id).done;
  }

  get(id: string): PullInfo | undefined {
    const j = this.jobs.get(id);
    return j ? { ...j.info } : undefined;
  }

  list(): PullInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Stop a pull; the bytes so far stay in the downloads folder, and pulling again resumes them. */
  cancel(id: string): PullInfo {
    const job = this.job(id);
    if (!FINAL.includes(job.info.state)) job.controller.abort(new DownloadError('aborted', 'pull cancelled', true));
    return { ...job.info };
  }

  /** Cancel every pull and wait for them to settle (core shutdown). */
  async cancelAll(): Promise<void> {
    const active = [...this.jobs.values()].filter((j) => !FINAL.includes(j.info.state));
    for (const j of active) j.controller.abort(new DownloadError('aborted', 'pull cancelled: the core is stopping', true));
    await Promise.allSettled(active.map((j) => j.done));
  }

  private job(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new ModelError('pull_not_found', `no pull with id '${id}'`, 'id');
    return j;
  }

  private async run(job: Job): Promise<ModelManifest> {
    const signal = job.controller.signal;
    let releaseSlot: (() => void) | null = null;
    try {
      releaseSlot = await this.slots.acquire(signal);
      this.setState(job, 'running');
      const files: DownloadedFile[] = [];
      let before = 0;
      for (const f of job.resolved.files) {
        files.push(await this.fetchFile(job, f, before));
        before += f.size;
      }
      this.setState(job, 'verifying');
      const { repo, revision, endpoint, quant } = job.resolved;
      const source = { kind: 'hub' as const, repo, revision, file: job.resolved.files[0]!.path, endpoint };
      const aliases = quant ? [`${repo}:${quant}`] : [repo];
      const manifest = await this.opts.library.addDownloaded(job.info.modelId, files, source, aliases).catch(async (err: unknown) => {
        // Complete and matching the hub's hash, but not a model we can use: don't keep it for a resume.
        for (const f of files) await rm(f.tempPath, { force: true });
        throw err;
      });
      this.setState(job, 'done');
      return manifest;
    } catch (err) {
      const cancelled = signal.aborted;
      job.info.error = cancelled ? null : (err as Error).message;
      this.setState(job, cancelled ? 'cancelled' : 'failed');
      throw cancelled ? new DownloadError('aborted', `pull of ${job.info.repo} cancelled; pulling again resumes it`, true) : err;
    } finally {
      releaseSlot?.();
    }
  }

  private async fetchFile(job: Job, f: HubFile, before: number): Promise<DownloadedFile> {
    const partPath = this.partPath(job.resolved, f);
    const { token, endpoint } = this.opts.hub();
    const sameOrigin = new URL(f.url).origin === new URL(endpoint).origin;
    const retries = this.opts.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await download({
          url: f.url,
          partPath,
          expectedSha256: f.sha256,
          expectedBytes: f.size,
          signal: job.controller.signal,
          progressIntervalMs: this.opts.progressIntervalMs ?? 250,
          ...(token && sameOrigin ? { headers: { authorization: `Bearer ${token}` } } : {}),
          onProgress: (p) => this.progress(job, before, p),
        });
        return { name: f.name, tempPath: r.path, sha256: r.sha256, sizeBytes: r.bytes };
      } catch (err) {
        const retry = err instanceof DownloadError && err.resumable && err.code !== 'aborted' && attempt < retries && !job.controller.signal.aborted;
        if (!retry) throw err;
        await sleep((this.opts.retryDelayMs ?? 1000) * (attempt + 1), undefined, { signal: job.controller.signal });
      }
    }
  }

  /** Named by content (the LFS sha256): the same file resumes whichever pull asks for it. */
  private partPath(r: ResolvedPull, f: HubFile): string {
    return join(this.opts.downloadsDir, `${f.sha256 ?? slugify(`${r.repo}-${r.revision}-${f.path}`)}.part`);
  }

  private progress(job: Job, before: number, p: DownloadProgress): void {
    job.info.bytes = before + p.bytes;
    this.emit(job, p);
  }

  private setState(job: Job, state: PullState): void {
    job.info.state = state;
    if (state === 'done') job.info.bytes = job.info.totalBytes ?? job.info.bytes;
    this.emit(job, null);
  }

  private emit(job: Job, p: DownloadProgress | null): void {
    const s = job.info.state;
    const ev: ProgressEvent = {
      type: 'progress',
      kind: MODEL_PULL_EVENT_KIND,
      id: job.info.id,
      label: `${job.info.repo}: ${job.resolved.files[0]!.name}${job.resolved.files.length > 1 ? ` (+${job.resolved.files.length - 1} shards)` : ''}`,
      state: s === 'done' ? 'done' : s === 'failed' ? 'failed' : s === 'cancelled' ? 'cancelled' : 'running',
      bytes: job.info.bytes,
      totalBytes: job.info.totalBytes,
      bytesPerSecond: p?.bytesPerSecond ?? null,
      etaSeconds: p?.etaSeconds ?? null,
      error: job.info.error,
    };
    this.opts.events.emit(ev);
  }
}

function specOf(req: PullModelRequest): PullSpec {
  const spec = req.repo.includes(':') ? parsePullSpec(req.repo) : { repo: checkRepo(req.repo), selector: null };
  return { repo: spec.repo, selector: req.file ?? req.quant ?? spec.selector };
}
