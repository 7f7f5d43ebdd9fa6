// Pulls from the hub: resolve the files, download each into <data>/downloads/<sha256>.part (the part
// holds the bytes; a later attempt sends a Range request), verify the sha256 against the LFS oid while
// streaming, then hand the files to the library. At most `maxConcurrent` pulls download at once; the
// rest queue. Progress goes out as `model-pull` events. An unfinished pull also has a sidecar
// (pull-sidecar.ts): a pull paused, stopped by a shutdown or a crash, or cut off for good is listed
// again as `paused` by the next PullManager on the same folder, and resumes with the same id.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODEL_PULL_EVENT_KIND, type CoreEvent, type ModelManifest, type ProgressEvent, type PullInfo, type PullModelRequest, type PullState } from '../../contract/index.js';
import { download, DownloadError, type DownloadProgress } from '../download/download.js';
import { partBytesOnDisk, removeRangeState } from '../download/ranged.js';
import type { Listeners } from '../util/emitter.js';
import { isLocalNetworkHost } from '../util/net.js';
import { ModelError } from './errors.js';
import { assertOnline, checkRepo, parsePullSpec, resolvePull, type HubConfig, type HubFile, type PullSpec, type ResolvedPull } from './hub.js';
import { slugify } from './ids.js';
import { stemOf, type DownloadedFile, type ModelLibrary } from './library.js';
import { readSidecars, removeSidecar, writeSidecar } from './pull-sidecar.js';
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
  /** Connections for a file of at least RANGED_MIN_BYTES (default 4); smaller files use one. */
  connections?: number;
  /** Free bytes in a folder (a seam for tests; default statfs). */
  freeSpace?: FreeSpace;
}

interface Job {
  info: PullInfo;
  resolved: ResolvedPull;
  controller: AbortController;
  done: Promise<ModelManifest>;
  /** Why the controller was aborted: a pause keeps the sidecar, a cancel removes it. */
  stop: 'pause' | 'cancel' | null;
}

const FINAL: PullState[] = ['done', 'failed', 'cancelled'];
/** States a pull can be resumed from (the bytes so far are kept on disk). */
const RESUMABLE: PullState[] = ['paused', 'failed', 'cancelled'];

export class PullManager {
  private readonly jobs = new Map<string, Job>();
  private readonly slots: Semaphore;

  constructor(private readonly opts: PullManagerOptions) {
    this.slots = new Semaphore(opts.maxConcurrent ?? 2);
    this.restore();
  }

  /** List the unfinished pulls of an earlier run (their sidecars) as paused; forget those without bytes. */
  private restore(): void {
    for (const s of readSidecars(this.opts.downloadsDir)) {
      if (this.jobs.has(s.id)) continue;
      const sizes = allFiles(s.resolved).map((f) => partBytesOnDisk(this.partPath(s.resolved, f)));
      if (!sizes.some((n) => n > 0)) {
        void removeSidecar(this.opts.downloadsDir, s.id);
        continue;
      }
      const info: PullInfo = {
        id: s.id,
        repo: s.resolved.repo,
        files: allFiles(s.resolved).map((f) => f.path),
        modelId: s.modelId,
        state: 'paused',
        bytes: sizes.reduce((a, b) => a + b, 0),
        totalBytes: allFiles(s.resolved).reduce((a, f) => a + f.size, 0),
        error: null,
      };
      this.jobs.set(s.id, { info, resolved: s.resolved, controller: new AbortController(), done: pausedResult(info), stop: null });
    }
  }

  /** Resolve what to pull (errors here are the caller's: unknown repo, no such quant) and queue it. */
  async start(req: PullModelRequest): Promise<PullInfo> {
    const spec = specOf(req);
    const resolved = await resolvePull(this.opts.hub(), spec, req.revision ?? 'main');
    const same = [...this.jobs.values()].find((j) => !FINAL.includes(j.info.state) && j.resolved.repo === resolved.repo && j.resolved.files[0]?.path === resolved.files[0]?.path);
    if (same?.info.state === 'paused') return this.resume(same.info.id);
    if (same) return { ...same.info };
    const modelId = this.opts.library.newId(stemOf(resolved.files[0]!.name), req.id);
    await this.checkSpace(resolved);
    const info: PullInfo = {
      id: `pull-${randomBytes(6).toString('hex')}`,
      repo: resolved.repo,
      files: allFiles(resolved).map((f) => f.path),
      modelId,
      state: 'queued',
      bytes: 0,
      totalBytes: allFiles(resolved).reduce((s, f) => s + f.size, 0),
      error: null,
    };
    const job: Job = { info, resolved, controller: new AbortController(), done: pausedResult(info), stop: null };
    await this.launch(job);
    this.jobs.set(info.id, job);
    return { ...info };
  }

  /** Continue a paused, failed or cancelled pull from the bytes on disk (a Range request), same id. */
  async resume(id: string): Promise<PullInfo> {
    const job = this.job(id);
    if (!RESUMABLE.includes(job.info.state)) return { ...job.info };
    assertOnline(this.opts.hub(), `resuming the pull of ${job.resolved.repo}`);
    await this.checkSpace(job.resolved);
    const before = { ...job.info };
    Object.assign(job, { controller: new AbortController(), stop: null });
    Object.assign(job.info, { state: 'queued', error: null });
    try {
      await this.launch(job);
    } catch (err) {
      job.info = before; // the model id is taken now, or the sidecar cannot be written: nothing started
      throw err;
    }
    return { ...job.info };
  }

  /** Reserve the model id, record the sidecar, and run the job. */
  private async launch(job: Job): Promise<void> {
    const release = this.opts.library.reserve(job.info.modelId);
    try {
      await writeSidecar(this.opts.downloadsDir, { schemaVersion: 1, id: job.info.id, modelId: job.info.modelId, resolved: job.resolved });
    } catch (err) {
      release();
      throw err;
    }
    this.emit(job, null);
    job.done = this.run(job).finally(release);
    job.done.catch(() => undefined);
  }

  private async checkSpace(r: ResolvedPull): Promise<void> {
    let needed = 0;
    for (const f of allFiles(r)) needed += f.size - partBytesOnDisk(this.partPath(r, f));
    await assertSpace(this.opts.downloadsDir, needed, `${r.repo}:${r.files[0]!.name}`, this.opts.freeSpace);
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

  /** Stop a pull and keep it as `paused` (also across restarts); `resume` continues it. */
  pause(id: string): PullInfo {
    const job = this.job(id);
    if (isActive(job)) {
      job.stop = 'pause';
      job.controller.abort(new DownloadError('aborted', 'pull paused', true));
    }
    return { ...job.info };
  }

  /**
   * Cancel a queued or running pull (its bytes stay in the downloads folder, and pulling the same file
   * again resumes them), or discard a paused or failed one: its part files and sidecar are deleted.
   */
  async cancel(id: string): Promise<PullInfo> {
    const job = this.job(id);
    if (isActive(job)) {
      job.stop = 'cancel';
      job.controller.abort(new DownloadError('aborted', 'pull cancelled', true));
    } else if (job.info.state === 'paused' || job.info.state === 'failed') {
      for (const f of allFiles(job.resolved)) {
        await rm(this.partPath(job.resolved, f), { force: true });
        await removeRangeState(this.partPath(job.resolved, f));
      }
      await removeSidecar(this.opts.downloadsDir, id);
      job.info.bytes = 0;
      job.info.error = null;
      this.setState(job, 'cancelled');
    }
    return { ...job.info };
  }

  /** Pause every pull and wait for them to settle (core shutdown): the next start lists them as paused. */
  async cancelAll(): Promise<void> {
    const active = [...this.jobs.values()].filter(isActive);
    for (const j of active) {
      j.stop = 'pause';
      j.controller.abort(new DownloadError('aborted', 'pull paused: the core is stopping', true));
    }
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
      const mmproj = job.resolved.projector;
      const projector = mmproj ? await this.fetchFile(job, mmproj, before) : null;
      this.setState(job, 'verifying');
      const { repo, revision, endpoint, quant, cardLicense } = job.resolved;
      const source = { kind: 'hub' as const, repo, revision, file: job.resolved.files[0]!.path, endpoint, cardLicense: cardLicense ?? null };
      const aliases = quant ? [`${repo}:${quant}`] : [repo];
      const manifest = await this.opts.library.addDownloaded(job.info.modelId, files, source, aliases, projector).catch(async (err: unknown) => {
        // A file-system failure (disk full, a locked file) leaves the verified files for a retry.
        if (isFsError(err)) throw new KeptDownload(`${(err as Error).message}; the verified download was kept in ${this.opts.downloadsDir}: pulling again finishes it without downloading`);
        // Complete and matching the hub's hash, but not a model we can use: don't keep it for a resume.
        for (const f of projector ? [...files, projector] : files) await rm(f.tempPath, { force: true });
        throw err;
      });
      await removeSidecar(this.opts.downloadsDir, job.info.id);
      this.setState(job, 'done');
      return manifest;
    } catch (err) {
      const stopped = signal.aborted ? (job.stop ?? 'cancel') : null;
      // A failure that a later attempt can continue keeps its sidecar: after a restart it is listed as paused.
      const keep = stopped === 'pause' || (stopped === null && ((err instanceof DownloadError && err.resumable) || err instanceof KeptDownload));
      if (!keep) await removeSidecar(this.opts.downloadsDir, job.info.id).catch(() => undefined);
      job.info.error = stopped ? null : (err as Error).message;
      this.setState(job, stopped === 'pause' ? 'paused' : stopped === 'cancel' ? 'cancelled' : 'failed');
      if (stopped === 'pause') throw new DownloadError('aborted', `pull of ${job.info.repo} paused; resume it to continue`, true);
      throw stopped ? new DownloadError('aborted', `pull of ${job.info.repo} cancelled; pulling again resumes it`, true) : err;
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
          connections: connectionsFor(f.url, f.size, this.opts.connections),
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
      state: s === 'done' || s === 'failed' || s === 'cancelled' || s === 'paused' ? s : 'running',
      bytes: job.info.bytes,
      totalBytes: job.info.totalBytes,
      bytesPerSecond: p?.bytesPerSecond ?? null,
      etaSeconds: p?.etaSeconds ?? null,
      error: job.info.error,
    };
    this.opts.events.emit(ev);
  }
}

/** What a pull downloads: the model's files, then its vision projector when the repo pairs one. */
function allFiles(r: ResolvedPull): HubFile[] {
  return r.projector ? [...r.files, r.projector] : r.files;
}

function isActive(j: Job): boolean {
  return !FINAL.includes(j.info.state) && j.info.state !== 'paused';
}

/** Hub files this large are fetched over several connections (a single one is often held below the line by the CDN). */
export const RANGED_MIN_BYTES = 256 * 1024 * 1024;
export const RANGED_CONNECTIONS = 4;

/**
 * Connections for one hub file. Several pay off against an internet CDN that holds each connection
 * below the line; from this machine or a mirror on the local network one is as fast or faster and
 * cheaper: the slices are read back from the disk to be hashed in order (`npm run bench -- model-pull`,
 * loopback, 2 cores: download() over 4 connections 230–335 MB/s, over one 470–680 MB/s for 195 MB;
 * for 1 GB both ~290 MB/s, bound by this VM's page cache).
 */
export function connectionsFor(url: string, size: number, configured = RANGED_CONNECTIONS): number {
  if (size < RANGED_MIN_BYTES) return 1;
  return isLocalNetworkHost(new URL(url).hostname) ? 1 : configured;
}

/** What `wait()` gives for a pull that is not running. */
function pausedResult(info: PullInfo): Promise<ModelManifest> {
  const p = Promise.reject(new DownloadError('aborted', `pull of ${info.repo} is paused; resume it to continue`, true));
  p.catch(() => undefined);
  return p;
}

function specOf(req: PullModelRequest): PullSpec {
  const spec = req.repo.includes(':') ? parsePullSpec(req.repo) : { repo: checkRepo(req.repo), selector: null };
  return { repo: spec.repo, selector: req.file ?? req.quant ?? spec.selector };
}

/** A pull whose verified files could not be moved into the library: they stay for the next attempt. */
class KeptDownload extends Error {}

function isFsError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | null)?.syscall === 'string';
}
