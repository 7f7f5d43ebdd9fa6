// Engine provisioning: lists installed engines, installs the right llama.cpp release build for this
// machine (or a named one), imports archives offline, removes engines no instance uses, and
// publishes progress as `engine-install` ProgressEvents.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ENGINE_INSTALL_PROGRESS_KIND, ENGINE_MANIFEST_SCHEMA_VERSION, type CoreEvent, type EngineInfo, type ProgressEvent, type VariantChoice } from '../../contract/index.js';
import type { Listeners } from '../util/emitter.js';
import { renameWithRetry } from '../util/fs-retry.js';
import { hardwareArch } from '../util/platform.js';
import { EngineError, obtainAsset, stageAndCommit, verifyLocal, type LocalArchive } from './installer.js';
import { liveEnginesIn } from '../supervisor/pidfiles.js';
import { engineBinaryIn } from './locate.js';
import { engineInfo, listEngines } from './manifest.js';
import { archiveKind, checkTag, cudartAssetFor, DEFAULT_ENGINE_TAG, DEFAULT_RELEASE_SOURCE, fetchRelease, parseAssetName, ReleaseError, type Release } from './release.js';
import { chooseVariant, type MachineFacts } from './variant.js';
import type { EngineDefaults } from './defaults.js';

export interface EngineServiceOptions {
  enginesDir: string;
  downloadsDir: string;
  /** GitHub-API-shaped base URL (https://… or file://…); default LLAMA_ORCH_ENGINE_SOURCE or GitHub. */
  releaseSource?: string;
  defaultTag?: string;
  events?: Listeners<CoreEvent>;
  /** The hardware snapshot (or the part the choice needs). Default: this OS and arch, no GPUs known. */
  machine?: () => Promise<MachineFacts>;
  /** Ids of instances running the given binary. */
  inUse?: (binary: string) => string[];
  /** `<data>/run`: engines started by another llama-orch process (a `serve`) also block a removal. */
  runDir?: string;
  /** The user's choice (settings.engines): GitHub, a company mirror, or offline (imports only). */
  settings?: () => { releaseSource: 'github' | 'mirror' | 'offline'; mirrorUrl: string | null; tag: string | null };
  /** The default engine: an install or import never changes it, except the first engine on an empty machine. */
  defaults?: EngineDefaults;
  /** Offline mode (settings.network.offline or `serve --offline`): no download is tried. */
  offline?: () => boolean;
}

export interface InstallOptions {
  tag?: string;
  variant?: string;
  signal?: AbortSignal;
  onProgress?: (p: ProgressEvent) => void;
}

export interface PreparedInstall {
  id: string;
  jobId: string;
  release: Release;
  choice: VariantChoice;
  /** Already installed: nothing to do. */
  existing: EngineInfo | null;
}

export class EngineService {
  private readonly inflight = new Map<string, Promise<EngineInfo>>();

  constructor(private readonly opts: EngineServiceOptions) {
    removeLeftovers(opts.enginesDir);
  }

  /** Where release metadata comes from: the mirror set in settings, else the option/env/GitHub. */
  get releaseSource(): string {
    const s = this.opts.settings?.();
    if (s?.releaseSource === 'mirror' && s.mirrorUrl) return s.mirrorUrl;
    return this.opts.releaseSource ?? process.env.LLAMA_ORCH_ENGINE_SOURCE ?? DEFAULT_RELEASE_SOURCE;
  }

  get defaultTag(): string {
    return this.opts.settings?.().tag ?? this.opts.defaultTag ?? process.env.LLAMA_ORCH_ENGINE_TAG ?? DEFAULT_ENGINE_TAG;
  }

  /** The default engine's id (null: `--engine` or the newest installed is used). */
  get defaultEngine(): string | null {
    return this.opts.defaults?.current ?? null;
  }

  list(): EngineInfo[] {
    return listEngines(this.opts.enginesDir, this.opts.inUse);
  }

  get(id: string): EngineInfo | null {
    if (!isSafeId(id)) return null;
    const binary = engineBinaryIn(join(this.opts.enginesDir, id));
    return binary ? engineInfo(this.opts.enginesDir, id, binary, this.opts.inUse) : null;
  }

  /** Read the release and choose the variant; cheap, so the API can answer before downloading. */
  async prepare(opts: InstallOptions = {}): Promise<PreparedInstall> {
    const s = this.opts.settings?.();
    if (this.opts.offline?.()) {
      throw new EngineError(
        'invalid_request',
        'offline mode is on: engine downloads need the network; install from an archive (`llama-orch engines import <archive>`), from an offline kit (`llama-orch kit import <dir>`), or turn offline mode off',
      );
    }
    if (s?.releaseSource === 'offline') {
      throw new EngineError(
        'invalid_request',
        'engine downloads are off (settings: release source "offline"); install from an archive instead: `llama-orch engines import <archive> [--sha256 <hex>]`',
      );
    }
    if (s?.releaseSource === 'mirror' && !s.mirrorUrl) {
      throw new EngineError('invalid_request', 'the engine release source is "mirror" but no mirror URL is set in settings');
    }
    const tag = checkTag(opts.tag ?? this.defaultTag);
    const release = await fetchRelease(this.releaseSource, tag, opts.signal);
    const machine = await nativeMachine(await (this.opts.machine ?? localMachine)());
    const choice = chooseVariant(machine, release.assets, opts.variant);
    const id = `${release.tag}-${choice.variant}`;
    return { id, jobId: `${ENGINE_INSTALL_PROGRESS_KIND}:${id}`, release, choice, existing: this.get(id) };
  }

  /** Download, verify, unpack, self-test and register a prepared install. Concurrent calls share one job. */
  run(plan: PreparedInstall, opts: InstallOptions = {}): Promise<EngineInfo> {
    if (plan.existing) return Promise.resolve(plan.existing);
    const running = this.inflight.get(plan.id);
    if (running) return running;
    const job = this.download(plan, opts).finally(() => this.inflight.delete(plan.id));
    this.inflight.set(plan.id, job);
    return job;
  }

  async install(opts: InstallOptions = {}): Promise<{ engine: EngineInfo; choice: VariantChoice; alreadyInstalled: boolean }> {
    const plan = await this.prepare(opts);
    return { engine: await this.run(plan, opts), choice: plan.choice, alreadyInstalled: plan.existing !== null };
  }

  /**
   * Offline install from a local archive (same verification, same atomic placement). `with` adds
   * archives unpacked beside the binary: a Windows CUDA build needs its `cudart-…` runtime archive,
   * which is also picked up by itself when it lies beside the engine archive.
   */
  async importArchive(path: string, opts: { sha256?: string | null; with?: string[]; onProgress?: (p: ProgressEvent) => void; origin?: string } = {}): Promise<EngineInfo> {
    const name = basename(path);
    if (!archiveKind(name)) throw new EngineError('invalid_request', `${name}: expected a .tar.gz or .zip llama.cpp archive`);
    if (opts.sha256 && !/^[0-9a-f]{64}$/i.test(opts.sha256)) throw new EngineError('invalid_request', `--sha256 must be 64 hex characters, got '${opts.sha256}'`);
    const parsed = parseAssetName(name);
    const id = parsed ? `${parsed.tag}-${parsed.variant}` : safeIdFrom(name);
    const extras = withRuntime(path, parsed, opts.with ?? []);
    const progress = this.progressFor(`${ENGINE_INSTALL_PROGRESS_KIND}:${id}`, `Importing ${name}`, opts.onProgress);
    try {
      const local = await verifyLocal(path, opts.sha256 ?? null);
      // An upload's temp path means nothing later: `origin` names where it came from instead.
      const location = opts.origin ?? path;
      const archives: LocalArchive[] = [{ ...local, name, url: location, owned: false }];
      for (const extra of extras) archives.push({ ...(await verifyLocal(extra, null)), name: basename(extra), url: extra, owned: false });
      progress({ state: 'running', bytes: local.bytes, totalBytes: local.bytes, label: `Unpacking ${name}` });
      const binary = await stageAndCommit({
        enginesDir: this.opts.enginesDir,
        id,
        archives,
        manifest: {
          schemaVersion: ENGINE_MANIFEST_SCHEMA_VERSION,
          id,
          tag: parsed?.tag ?? null,
          variant: parsed?.variant ?? null,
          backend: parsed?.backend ?? null,
          choiceReason: null,
          source: { kind: 'import', location },
        },
      });
      progress({ state: 'done', bytes: local.bytes, totalBytes: local.bytes });
      return this.adoptIfFirst(engineInfo(this.opts.enginesDir, id, binary, this.opts.inUse));
    } catch (err) {
      progress({ state: 'failed', error: (err as Error).message });
      throw err;
    }
  }

  /** The first engine on an empty machine becomes the default (and says so); any later one never does. */
  private adoptIfFirst(info: EngineInfo): EngineInfo {
    const d = this.opts.defaults;
    if (!d || d.current !== null || this.list().length !== 1) return info;
    d.set(info.id, { actor: 'first engine installed' });
    return { ...info, becameDefault: true };
  }

  /**
   * The default and the last few defaults stay installed (a rollback needs them), except when it is
   * the only engine: removing it is then explicit, and the default is cleared with it.
   */
  private refuseKeptDefault(id: string): void {
    const d = this.opts.defaults;
    if (!d?.kept().has(id)) return;
    if (this.list().length === 1) {
      d.clear();
      return;
    }
    const current = d.current === id;
    throw new EngineError(
      'in_use',
      current
        ? `engine '${id}' is the default engine; make another the default first (\`llama-orch engines default <id>\`)`
        : `engine '${id}' is one of the last default engines (kept for a rollback); it can be removed once newer defaults replace it`,
    );
  }

  /** Where uploaded archives wait while they are imported (beside the downloads, on the same disk). */
  get uploadsDir(): string {
    return join(this.opts.downloadsDir, 'uploads');
  }

  /** Remove an engine folder; refused while an instance uses it or while it is one of the last defaults. */
  async remove(id: string): Promise<void> {
    const info = this.get(id);
    if (!info)
      throw new EngineError(
        'not_found',
        `engine '${id}' is not installed; installed: ${
          this.list()
            .map((e) => e.id)
            .join(', ') || 'none'
        }`,
      );
    if (info.inUseBy.length > 0) throw new EngineError('in_use', `engine '${id}' is used by instance(s) ${info.inUseBy.join(', ')}; stop them first`);
    const elsewhere = this.opts.runDir ? await liveEnginesIn(this.opts.runDir, info.dir) : [];
    if (elsewhere.length > 0) {
      const which = elsewhere.map((r) => `${r.instanceId} (engine pid ${r.pid}, started by llama-orch pid ${r.corePid})`).join(', ');
      throw new EngineError('in_use', `engine '${id}' is running instance(s) ${which}; stop them (or that \`llama-orch serve\`) first`);
    }
    this.refuseKeptDefault(id);
    const trash = join(this.opts.enginesDir, `${REMOVING_PREFIX}${id}-${Date.now()}`);
    await renameWithRetry(info.dir, trash); // gone from listings at once, even if deleting takes a while
    // A scanner may still hold a DLL: retried, and what stays is cleared at the next start.
    await rm(trash, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
  }

  /** A binary from an engine id, an engine folder or a binary path. */
  resolveBinary(idOrPath: string): string {
    const byId = this.get(idOrPath)?.binary;
    if (byId) return byId;
    if (existsSync(idOrPath)) return engineBinaryIn(idOrPath) ?? idOrPath;
    throw new EngineError(
      'not_found',
      `engine '${idOrPath}' is neither an installed engine id nor a path; installed: ${
        this.list()
          .map((e) => e.id)
          .join(', ') || 'none'
      }`,
    );
  }

  private async download(plan: PreparedInstall, opts: InstallOptions): Promise<EngineInfo> {
    const assets = plan.choice.assets.map((name) => plan.release.assets.find((a) => a.name === name)!);
    const total = assets.reduce((s, a) => s + a.size, 0);
    const progress = this.progressFor(plan.jobId, `Installing llama.cpp ${plan.release.tag} (${plan.choice.variant})`, opts.onProgress);
    try {
      const archives: LocalArchive[] = [];
      let before = 0;
      for (const asset of assets) {
        progress({ state: 'running', bytes: before, totalBytes: total, label: `Downloading ${asset.name}` });
        const got = await obtainAsset(asset, this.opts.downloadsDir, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (p) => progress({ state: 'running', bytes: before + p.bytes, totalBytes: total, bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds }),
        });
        archives.push(got);
        before += got.bytes;
      }
      progress({ state: 'running', bytes: before, totalBytes: total, label: `Unpacking and testing ${plan.choice.variant}`, bytesPerSecond: null, etaSeconds: null });
      const binary = await stageAndCommit({
        enginesDir: this.opts.enginesDir,
        id: plan.id,
        archives,
        manifest: {
          schemaVersion: ENGINE_MANIFEST_SCHEMA_VERSION,
          id: plan.id,
          tag: plan.release.tag,
          variant: plan.choice.variant,
          backend: plan.choice.backend,
          choiceReason: plan.choice.reason,
          source: { kind: 'release', location: plan.release.source, publishedAt: plan.release.publishedAt, commit: plan.release.commit },
        },
      });
      progress({ state: 'done', bytes: before, totalBytes: total, etaSeconds: 0 });
      return this.adoptIfFirst(engineInfo(this.opts.enginesDir, plan.id, binary, this.opts.inUse));
    } catch (err) {
      const cancelled = opts.signal?.aborted ?? false;
      progress({ state: cancelled ? 'cancelled' : 'failed', error: (err as Error).message });
      throw err;
    }
  }

  private progressFor(id: string, label: string, sink?: (p: ProgressEvent) => void): (p: Partial<ProgressEvent>) => void {
    let last: ProgressEvent = { type: 'progress', kind: ENGINE_INSTALL_PROGRESS_KIND, id, label, state: 'running', bytes: 0, totalBytes: null, bytesPerSecond: null, etaSeconds: null, error: null };
    return (p) => {
      last = { ...last, ...p };
      this.opts.events?.emit(last);
      sink?.(last);
    };
  }
}

export { EngineError, ReleaseError };

async function localMachine(): Promise<MachineFacts> {
  return { platform: process.platform, cpu: { arch: process.arch }, gpus: [] };
}

function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..');
}

function safeIdFrom(name: string): string {
  const stem = name
    .replace(/\.(tar\.gz|tgz|zip)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return stem || 'engine';
}

const REMOVING_PREFIX = '.removing-';

/** Folders of removals a locked file (Windows) or a crash interrupted: nothing uses them any more. */
export function removeLeftovers(enginesDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(enginesDir).filter((n) => n.startsWith(REMOVING_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    try {
      rmSync(join(enginesDir, n), { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      removed.push(n);
    } catch {
      // Still locked: the next start tries again.
    }
  }
  return removed;
}

/**
 * The archives to unpack beside an imported engine: those given, plus — for a Windows CUDA build
 * without its runtime — the release's `cudart-llama-bin-<variant>.zip` lying beside it. Without
 * those DLLs the build starts, finds no CUDA device and silently runs on the CPU.
 */
export function withRuntime(path: string, parsed: ReturnType<typeof parseAssetName>, given: string[], list: (dir: string) => string[] = readdirSync): string[] {
  if (parsed?.backend !== 'cuda' || parsed.platform !== 'win32') return given;
  const own = `cudart-llama-bin-${parsed.variant}`;
  if (given.some((g) => basename(g).startsWith('cudart-'))) return given;
  const dir = dirname(path);
  let beside: { name: string; url: string; size: number; sha256: null }[] = [];
  try {
    beside = list(dir).map((n) => ({ name: n, url: '', size: 0, sha256: null }));
  } catch {
    // unreadable folder: reported below as missing
  }
  const found = cudartAssetFor(parsed.variant, beside);
  if (found) return [...given, join(dir, found.name)];
  throw new EngineError(
    'invalid_request',
    `${basename(path)} is a CUDA build for Windows and needs its CUDA runtime, ${own}.zip from the same release: put it beside the archive or pass it with --with <path>; nothing was installed`,
  );
}

/** The machine as the hardware is, not as this process runs: the x64 app under Rosetta is on arm64. */
async function nativeMachine(m: MachineFacts): Promise<MachineFacts> {
  if (m.platform !== process.platform) return m; // a described machine (tests, planning for another host)
  return { ...m, cpu: { ...m.cpu, arch: await hardwareArch(m.platform, m.cpu.arch) } };
}
