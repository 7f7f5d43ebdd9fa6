// Maps the `model` of an API request to a ready engine: known models, their instances, and the
// errors a client sees when a model is unknown (404 with the list) or cannot start (503).
import { basename } from 'node:path';
import type { OpenAiModel } from '../../contract/index.js';
import type { ModelRouter } from '../api/openai.js';
import { unknownModel } from '../api/openai.js';
import type { ProxyTarget } from '../api/proxy.js';
import { planToArgs, type LaunchPlan } from '../engines/args.js';
import type { EngineInstance } from '../supervisor/instance.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { HttpError } from '../util/errors.js';

export interface ServedModel {
  id: string;
  path: string;
  createdAt: number;
  plan: Omit<LaunchPlan, 'modelPath' | 'alias'>;
}

/** A model id from a file name: `stories260K.gguf` → `stories260K`. */
export function modelIdFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

export class ServedModels implements ModelRouter {
  private readonly models = new Map<string, ServedModel>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly enginePath: () => string,
  ) {}

  add(model: Omit<ServedModel, 'createdAt' | 'plan'> & Partial<Pick<ServedModel, 'plan'>>): ServedModel {
    const entry: ServedModel = { createdAt: Math.floor(Date.now() / 1000), plan: {}, ...model };
    this.models.set(entry.id, entry);
    return entry;
  }

  ids(): string[] {
    return [...this.models.keys()];
  }

  list(): OpenAiModel[] {
    return [...this.models.values()].map((m) => {
      const state = this.supervisor.findByModel(m.id)?.info().state;
      return {
        id: m.id,
        object: 'model' as const,
        created: m.createdAt,
        owned_by: 'llama-orch',
        state: state === 'ready' ? 'loaded' : state === 'starting' ? 'loading' : state === 'failed' ? 'failed' : 'unloaded',
      };
    });
  }

  /** The instance serving a model, created (not started) on first use. */
  instanceFor(modelId: string): EngineInstance {
    const model = this.resolve(modelId);
    const existing = this.supervisor.findByModel(model.id);
    if (existing) return existing;
    return this.supervisor.create({
      id: model.id,
      modelId: model.id,
      modelPath: model.path,
      enginePath: this.enginePath(),
      args: planToArgs({ modelPath: model.path, alias: model.id, ...model.plan }),
    });
  }

  async acquire(modelId: string): Promise<ProxyTarget> {
    const inst = this.instanceFor(modelId);
    try {
      await inst.ensureReady();
    } catch (err) {
      throw new HttpError(503, `model '${inst.spec.modelId}' is not available: ${(err as Error).message}`, 'server_error', 'engine_unavailable', null, { 'retry-after': '5' });
    }
    const baseUrl = inst.baseUrl();
    if (!baseUrl) throw new HttpError(503, `model '${inst.spec.modelId}' is restarting; retry shortly`, 'server_error', 'engine_unavailable', null, { 'retry-after': '1' });
    return { baseUrl, apiKey: inst.apiKey };
  }

  private resolve(modelId: string): ServedModel {
    const exact = this.models.get(modelId);
    if (exact) return exact;
    const lower = modelId.toLowerCase();
    for (const m of this.models.values()) if (m.id.toLowerCase() === lower || `${m.id.toLowerCase()}.gguf` === lower) return m;
    throw unknownModel(modelId, this.ids());
  }
}
