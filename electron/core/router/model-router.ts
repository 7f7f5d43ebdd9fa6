// Maps the `model` of an API request to a ready engine: the models this core can serve, their
// instances (created and started on demand), receipts for reproducibility, and idle unloading.
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { InstancePlacement, OpenAiModel, PlacementOverrides, PlacementPlan, PlacementResult, RunningPlacement } from '../../contract/index.js';
import { unknownModel, type ModelRouter, type RoutedModel } from '../api/openai.js';
import type { ProxyTarget } from '../api/proxy.js';
import { sha256File } from '../download/download.js';
import { planToArgs, type LaunchPlan } from '../engines/args.js';
import type { EngineInstance } from '../supervisor/instance.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { HttpError } from '../util/errors.js';

/** Engine slots when a plan does not say (llama-server's own automatic default is 4 as well). */
export const DEFAULT_SLOTS = 4;

export interface ServedModel {
  id: string;
  path: string;
  createdAt: number;
  plan: Omit<LaunchPlan, 'modelPath' | 'alias'>;
  /** One slot and a fixed batch, so a seeded request gives the same tokens every time. */
  reproducible: boolean;
  sha256: string | null;
  /** Placement overrides (devices, layers, context, slots, KV cache type…); the planner decides the rest. */
  overrides?: PlacementOverrides;
  /** A specific engine binary; default: the newest installed engine. */
  enginePath?: string;
}

export interface ModelSource {
  /** A model known elsewhere (the library), for ids this router has not seen yet. */
  resolve(idOrAlias: string): { id: string; path: string; sha256: string | null } | null;
  ids(): string[];
}

/** A model id from a file name: `stories260K.gguf` → `stories260K`. */
export function modelIdFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

/** Plans where a model goes, counting what is already running (placement/planner.ts behind it). */
export type Placer = (model: ServedModel, overrides: PlacementOverrides, running: RunningPlacement[]) => Promise<PlacementResult>;

export interface RouterOptions {
  enginePath: () => string;
  loadTimeoutMs: () => number;
  /** Without a placer the engine's own defaults apply (tests of the router alone). */
  placer?: Placer;
  pinned?: () => string[];
  busy?: (modelId: string) => boolean;
  /** Told when instances are stopped to make room (audit log). */
  onEvict?: (instanceIds: string[], forModel: string, reason: string) => void;
  /** Optional extra source of models (the library); models added with add() come first. */
  source?: ModelSource;
}

export class ServedModels implements ModelRouter {
  private readonly models = new Map<string, ServedModel>();
  private readonly lastUsed = new Map<string, number>();
  private readonly engineVersions = new Map<string, Promise<string | null>>();
  private readonly resolvedVersions = new Map<string, string | null>();
  private readonly placements = new Map<string, PlacementPlan>();
  private readonly creating = new Map<string, Promise<EngineInstance>>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly opts: RouterOptions,
  ) {}

  add(model: Pick<ServedModel, 'id' | 'path'> & Partial<ServedModel>): ServedModel {
    const entry: ServedModel = { createdAt: Math.floor(Date.now() / 1000), plan: {}, reproducible: false, sha256: null, ...model };
    this.models.set(entry.id, entry);
    if (!entry.sha256) void sha256File(entry.path).then((h) => (entry.sha256 = h), () => undefined);
    return entry;
  }

  /**
   * Set how a model is loaded next time (placement overrides, engine); returns its id. A running
   * instance keeps its current placement until it is stopped.
   */
  configure(idOrAlias: string, changes: { overrides?: PlacementOverrides; enginePath?: string }): { id: string; previous: Pick<ServedModel, 'overrides' | 'enginePath'> } {
    const m = this.resolve(idOrAlias);
    const previous = { overrides: m.overrides, enginePath: m.enginePath };
    if (changes.overrides) m.overrides = changes.overrides;
    if (changes.enginePath) m.enginePath = changes.enginePath;
    return { id: m.id, previous };
  }

  /** Undo configure() (a reload that was refused keeps the settings that worked). */
  restore(modelId: string, previous: Pick<ServedModel, 'overrides' | 'enginePath'>): void {
    const m = this.resolve(modelId);
    m.overrides = previous.overrides;
    m.enginePath = previous.enginePath;
  }

  /**
   * Stop the model's engine and start it with its current settings. The new placement is planned
   * first (not counting the old instance), so a refusal leaves the running engine untouched.
   */
  async reload(modelId: string): Promise<EngineInstance> {
    const model = this.resolve(modelId);
    const placement = this.opts.placer ? await this.place(model, model.id) : undefined;
    if (this.supervisor.findByModel(model.id)) await this.supervisor.remove(model.id);
    return this.startWith(model, placement);
  }

  ids(): string[] {
    const ids = new Set([...this.models.keys(), ...(this.opts.source?.ids() ?? [])]);
    return [...ids];
  }

  list(): OpenAiModel[] {
    return this.ids().map((id) => {
      const state = this.supervisor.findByModel(id)?.info().state;
      return {
        id,
        object: 'model' as const,
        created: this.models.get(id)?.createdAt ?? 0,
        owned_by: 'llama-orch',
        state: state === 'ready' ? 'loaded' : state === 'starting' ? 'loading' : state === 'failed' ? 'failed' : 'unloaded',
      };
    });
  }

  lookup(model: string): RoutedModel {
    const m = this.resolve(model);
    let enginePath: string;
    try {
      enginePath = this.supervisor.findByModel(m.id)?.spec.enginePath ?? m.enginePath ?? this.opts.enginePath();
    } catch (err) {
      throw new HttpError(503, `model '${m.id}' cannot be served: ${(err as Error).message}`, 'server_error', 'engine_unavailable');
    }
    return {
      id: m.id,
      slots: this.placements.get(m.id)?.parallel ?? (m.reproducible ? 1 : (m.plan.parallel ?? DEFAULT_SLOTS)),
      receipt: () => ({ engine: basename(enginePath), engineVersion: this.resolvedVersions.get(enginePath) ?? null, modelSha256: m.sha256, reproducible: m.reproducible }),
    };
  }

  /** The placement the model's engine was started with, if a planner placed it. */
  placementOf(modelId: string): PlacementPlan | undefined {
    return this.supervisor.findByModel(modelId) ? this.placements.get(modelId) : undefined;
  }

  /**
   * The instance serving a model, created (not started) on first use: placed by the planner, which
   * counts the instances already running; idle ones it proposes to evict are stopped first.
   */
  ensureInstance(modelId: string): Promise<EngineInstance> {
    const model = this.resolve(modelId);
    const existing = this.supervisor.findByModel(model.id);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(model.id);
    if (!pending) {
      pending = this.createInstance(model).finally(() => this.creating.delete(model.id));
      this.creating.set(model.id, pending);
    }
    return pending;
  }

  private async createInstance(model: ServedModel): Promise<EngineInstance> {
    const placement = this.opts.placer ? await this.place(model) : undefined;
    const raced = this.supervisor.findByModel(model.id);
    if (raced) return raced;
    return this.startWith(model, placement);
  }

  private startWith(model: ServedModel, placement: PlacementPlan | undefined): EngineInstance {
    const enginePath = model.enginePath ?? this.opts.enginePath();
    void this.engineVersion(enginePath);
    if (placement) this.placements.set(model.id, placement);
    else this.placements.delete(model.id);
    const extra = [...(model.plan.extra ?? []), ...(model.reproducible ? ['-b', '512', '-ub', '512'] : [])];
    const plan: LaunchPlan = placement
      ? { modelPath: model.path, alias: model.id, placement, extra }
      : { modelPath: model.path, alias: model.id, parallel: DEFAULT_SLOTS, ...model.plan, ...(model.reproducible ? { parallel: 1 } : {}), extra };
    return this.supervisor.create({ id: model.id, modelId: model.id, modelPath: model.path, enginePath, args: planToArgs(plan), placement: placement ? summaryOf(placement) : null });
  }

  private async place(model: ServedModel, reloading?: string): Promise<PlacementPlan | undefined> {
    const overrides: PlacementOverrides = {
      ...(model.plan.parallel ? { parallel: model.plan.parallel } : {}),
      ...(model.plan.contextSize ? { contextSize: model.plan.contextSize } : {}),
      ...model.overrides,
      ...(model.reproducible ? { parallel: 1 } : {}),
    };
    let result: PlacementResult;
    try {
      result = await this.opts.placer!(model, overrides, this.runningPlacements().filter((r) => r.instanceId !== reloading));
    } catch {
      // The planner could not read the file's header: the engine is the authority on what it can
      // load, so it gets to try with its own defaults and report its own error.
      return undefined;
    }
    if (result.plan) return result.plan;
    if (result.eviction) {
      this.opts.onEvict?.(result.eviction.instanceIds, model.id, result.eviction.reason);
      for (const id of result.eviction.instanceIds) await this.supervisor.remove(id);
      return result.eviction.plan;
    }
    const why = result.error ?? 'no device has room';
    if (Object.keys(model.overrides ?? {}).length > 0) {
      // The user's own settings were refused (with the planner's numbers); `force` overrides that.
      throw new HttpError(409, `model '${model.id}' cannot be loaded as asked: ${why}`, 'invalid_request_error', 'placement_refused');
    }
    throw new HttpError(503, `model '${model.id}' does not fit on this machine: ${why}`, 'server_error', 'model_does_not_fit');
  }

  /** What the planner must count as taken: every live instance with a placement. */
  runningPlacements(): RunningPlacement[] {
    const pinned = this.opts.pinned?.() ?? [];
    const out: RunningPlacement[] = [];
    for (const info of this.supervisor.list()) {
      const p = this.placements.get(info.modelId);
      if (!p || info.state === 'stopped' || info.state === 'failed') continue;
      out.push({
        instanceId: info.id,
        bytesByDevice: Object.fromEntries(p.devices.map((d) => [d.id, d.totalBytes])),
        idle: !(this.opts.busy?.(info.modelId) ?? false),
        pinned: pinned.includes(info.modelId),
        lastUsedAt: this.lastUsed.get(info.modelId) ?? Date.parse(info.readyAt ?? info.startedAt ?? '0'),
      });
    }
    return out;
  }

  async acquire(modelId: string, signal?: AbortSignal): Promise<ProxyTarget> {
    // The common case, without timers or listeners: the engine is up and its version known.
    const running = this.supervisor.findByModel(modelId);
    const readyUrl = running && this.resolvedVersions.has(running.spec.enginePath) ? running.baseUrl() : null; // null unless ready
    if (running && readyUrl) {
      this.lastUsed.set(modelId, Date.now());
      return { baseUrl: readyUrl, apiKey: running.apiKey };
    }
    let inst: EngineInstance;
    try {
      inst = await this.ensureInstance(modelId);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(503, `model '${modelId}' cannot be served: ${(err as Error).message}`, 'server_error', 'engine_unavailable');
    }
    this.lastUsed.set(inst.spec.modelId, Date.now());
    const timeoutMs = this.opts.loadTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        inst.ensureReady(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new HttpError(503, `model '${inst.spec.modelId}' is still loading after ${Math.round(timeoutMs / 1000)} s; retry shortly`, 'server_error', 'model_loading', null, { 'retry-after': '10' })), timeoutMs);
          signal?.addEventListener('abort', () => reject(new Error('client left while the model was loading')), { once: true });
        }),
      ]);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(503, `model '${inst.spec.modelId}' is not available: ${(err as Error).message}`, 'server_error', 'engine_unavailable', null, { 'retry-after': '5' });
    } finally {
      clearTimeout(timer);
    }
    await this.engineVersion(inst.spec.enginePath);
    const baseUrl = inst.baseUrl();
    if (!baseUrl) throw new HttpError(503, `model '${inst.spec.modelId}' is restarting; retry shortly`, 'server_error', 'engine_unavailable', null, { 'retry-after': '1' });
    return { baseUrl, apiKey: inst.apiKey };
  }

  released(modelId: string): void {
    this.lastUsed.set(modelId, Date.now());
  }

  /** Models whose engine is ready, unused for `ttlMs`, not pinned and not busy: candidates to unload. */
  idle(ttlMs: number, now: number, pinned: string[], busy: (id: string) => boolean): string[] {
    if (ttlMs <= 0) return [];
    return this.supervisor
      .list()
      .filter((i) => i.state === 'ready' && !pinned.includes(i.modelId) && !busy(i.modelId) && now - (this.lastUsed.get(i.modelId) ?? Date.parse(i.readyAt ?? '0')) > ttlMs)
      .map((i) => i.id);
  }

  private resolve(modelId: string): ServedModel {
    const exact = this.models.get(modelId);
    if (exact) return exact;
    const lower = modelId.toLowerCase();
    for (const m of this.models.values()) if (m.id.toLowerCase() === lower || `${m.id.toLowerCase()}.gguf` === lower) return m;
    const fromSource = this.opts.source?.resolve(modelId);
    if (fromSource) return this.models.get(fromSource.id) ?? this.add({ id: fromSource.id, path: fromSource.path, sha256: fromSource.sha256 });
    throw unknownModel(modelId, this.ids());
  }

  private engineVersion(path: string): Promise<string | null> {
    if (!this.engineVersions.has(path)) {
      this.engineVersions.set(
        path,
        new Promise((resolve) =>
          execFile(path, ['--version'], { timeout: 5000, windowsHide: true }, (_err, stdout, stderr) => {
            const m = /version:\s*(.+)/.exec(`${stdout}\n${stderr}`);
            const v = m ? m[1]!.trim() : null;
            this.resolvedVersions.set(path, v);
            resolve(v);
          }),
        ),
      );
    }
    return this.engineVersions.get(path)!;
  }
}

function summaryOf(p: PlacementPlan): InstancePlacement {
  return {
    summary: p.summary,
    contextSize: p.contextSize,
    parallel: p.parallel,
    devices: p.devices.map((d) => ({ id: d.id, name: d.name, gpuIndex: d.gpuIndex, layers: d.layers, totalBytes: d.totalBytes })),
  };
}
