// The gateway's view of the deployments module: a request's `model` → a deployment with the right
// role → a ready engine. Domain errors (a closed union of codes) become HTTP errors here, the one
// place that knows their statuses.
import type { ApiErrorType, DeploymentErrorCode, OpenAiModel } from '../../contract/index.js';
import type { LiveDeployment } from '../deployments/deployment.js';
import { DeploymentError } from '../deployments/errors.js';
import type { Deployments, RouteNeeds } from '../deployments/service.js';
import type { EngineFacts } from '../engines/facts.js';
import { HttpError } from '../util/errors.js';
import type { ModelRouter, RoutedModel } from './openai.js';
import type { ProxyTarget } from './proxy.js';

const STATUS: Record<DeploymentErrorCode, [number, ApiErrorType]> = {
  deployment_not_found: [404, 'not_found_error'],
  model_not_found: [404, 'not_found_error'],
  alias_conflict: [409, 'invalid_request_error'],
  invalid_value: [400, 'invalid_request_error'],
  flag_not_allowed: [400, 'invalid_request_error'],
  wrong_role: [400, 'invalid_request_error'],
  no_vision_projector: [400, 'invalid_request_error'],
  placement_refused: [409, 'invalid_request_error'],
  model_does_not_fit: [503, 'server_error'],
  model_unreadable: [503, 'server_error'],
  engine_unavailable: [503, 'server_error'],
  model_loading: [503, 'server_error'],
  store_unwritable: [500, 'server_error'],
};

/** A domain error as the HTTP error the client sees; anything else unchanged. */
export function toHttpError(err: unknown): unknown {
  if (!(err instanceof DeploymentError)) return err;
  const [status, type] = STATUS[err.code];
  return new HttpError(status, err.message, type, err.code, err.field, err.retryAfterSeconds !== null ? { 'retry-after': String(err.retryAfterSeconds) } : {});
}

export class DeploymentRouter implements ModelRouter {
  constructor(
    private readonly deployments: Deployments,
    private readonly facts: EngineFacts,
    private readonly loadTimeoutMs: () => number,
    /** How receipts name an engine binary (its installed id); default: the file name. */
    private readonly engineName: (binary: string) => string = (b) => b.split(/[\\/]/).pop() ?? '',
  ) {}

  list(): OpenAiModel[] {
    return this.deployments.openAiModels();
  }

  model(id: string): OpenAiModel {
    return this.deployments.openAiModel(this.call(() => this.deployments.find(id)).name);
  }

  lookup(model: string, route: string, needs: RouteNeeds = {}): RoutedModel {
    const d = this.call(() => this.deployments.forRoute(model, route, needs));
    return {
      id: d.name,
      slots: d.slots(),
      receipt: () => {
        const enginePath = d.instance?.spec.enginePath ?? '';
        return { engine: this.engineName(enginePath), engineVersion: this.facts.cachedVersion(enginePath) ?? null, modelSha256: d.config.modelSha256, reproducible: d.config.reproducible };
      },
    };
  }

  async acquire(name: string, signal?: AbortSignal): Promise<ProxyTarget> {
    const d = this.call(() => this.deployments.find(name));
    // The common case, without timers or listeners: the engine is up and its version known.
    const running = d.instance;
    const readyUrl = running && this.facts.cachedVersion(running.spec.enginePath) !== undefined ? running.baseUrl() : null;
    if (running && readyUrl) {
      d.lastUsedAt = Date.now();
      return { baseUrl: readyUrl, apiKey: running.apiKey };
    }
    const inst = await this.waitReady(d, signal);
    await this.facts.version(inst.spec.enginePath);
    const baseUrl = inst.baseUrl();
    if (!baseUrl) throw new HttpError(503, `model '${d.name}' is restarting; retry shortly`, 'server_error', 'engine_unavailable', null, { 'retry-after': '1' });
    return { baseUrl, apiKey: inst.apiKey };
  }

  released(name: string): void {
    const d = this.deployments.get(name);
    if (d) d.lastUsedAt = Date.now();
  }

  private async waitReady(d: LiveDeployment, signal?: AbortSignal) {
    const timeoutMs = this.loadTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        d.ensureReady(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new HttpError(503, `model '${d.name}' is still loading after ${Math.round(timeoutMs / 1000)} s; retry shortly`, 'server_error', 'model_loading', null, { 'retry-after': '10' })),
            timeoutMs,
          );
          signal?.addEventListener('abort', () => reject(new Error('client left while the model was loading')), { once: true });
        }),
      ]);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof DeploymentError) throw toHttpError(err);
      throw new HttpError(503, `model '${d.name}' is not available: ${(err as Error).message}`, 'server_error', 'engine_unavailable', null, { 'retry-after': '5' });
    } finally {
      clearTimeout(timer);
    }
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toHttpError(err);
    }
  }
}
