// Maps the `model` of an API request to a ready engine: the models this core can serve, their
// instances (created and started on demand), receipts for reproducibility, and idle unloading.
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { OpenAiModel } from '../../contract/index.js';
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

export interface RouterOptions {
  enginePath: () => string;
  loadTimeoutMs: () => number;
  /** Optional extra source of models (the library); models added with add() come first. */
  source?: ModelSource;
}

export class ServedModels implements ModelRouter {
  private readonly models = new Map<string, ServedModel>();
  private readonly lastUsed = new Map<string, number>();
  private readonly engineVersions = new Map<string, Promise<string | null>>();
  private readonly resolvedVersions = new Map<string, string | null>();

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
      enginePath = this.instanceFor(m.id).spec.enginePath;
    } catch (err) {
      throw new HttpError(503, `model '${m.id}' cannot be served: ${(err as Error).message}`, 'server_error', 'engine_unavailable');
    }
    return {
      id: m.id,
      slots: m.reproducible ? 1 : (m.plan.parallel ?? DEFAULT_SLOTS),
      receipt: () => ({ engine: basename(enginePath), engineVersion: this.resolvedVersions.get(enginePath) ?? null, modelSha256: m.sha256, reproducible: m.reproducible }),
    };
  }

  /** The instance serving a model, created (not started) on first use. */
  instanceFor(modelId: string): EngineInstance {
    const model = this.resolve(modelId);
    const existing = this.supervisor.findByModel(model.id);
    if (existing) return existing;
    const plan: LaunchPlan = { modelPath: model.path, alias: model.id, parallel: DEFAULT_SLOTS, ...model.plan };
    if (model.reproducible) Object.assign(plan, { parallel: 1, extra: [...(plan.extra ?? []), '-b', '512', '-ub', '512'] });
    const enginePath = this.opts.enginePath();
    void this.engineVersion(enginePath);
    return this.supervisor.create({ id: model.id, modelId: model.id, modelPath: model.path, enginePath, args: planToArgs(plan) });
  }

  async acquire(modelId: string, signal?: AbortSignal): Promise<ProxyTarget> {
    const inst = this.instanceFor(modelId);
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
          execFile(path, ['--version'], { timeout: 5000 }, (_err, stdout, stderr) => {
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
