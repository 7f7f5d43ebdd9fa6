// The gateway's router over both kinds of model: remote upstreams (an alias or `<prefix><model>`)
// first, then the local deployments. An upstream whose circuit is open answers 503 with Retry-After,
// or — for its aliases, when a fallback is configured — hands the request to that local deployment.
// How each upstream request ended goes back to its circuit.
import type { OpenAiModel } from '../../contract/index.js';
import type { UpstreamHit, Upstreams } from '../upstreams/service.js';
import { HttpError } from '../util/errors.js';
import type { ModelRouter, RoutedModel } from './openai.js';
import type { ProxyTarget } from './proxy.js';

const UPSTREAM_ID = 'upstream:';
export const FAILOVER_HEADER = 'x-llama-orch-failover';

export class GatewayRouter implements ModelRouter {
  constructor(
    private readonly local: ModelRouter,
    private readonly upstreams: Upstreams,
  ) {}

  list(): OpenAiModel[] {
    return [...this.local.list(), ...this.upstreams.openAiModels()];
  }

  model(id: string): OpenAiModel {
    const hit = this.upstreams.resolve(id);
    return hit ? this.upstreams.openAiModel(hit.up, hit.exposed) : this.local.model(id);
  }

  /** `needs` (image input) is checked for local deployments; an upstream answers for itself. */
  lookup(model: string, route: string, needs?: { images?: boolean }): RoutedModel {
    const hit = this.upstreams.resolve(model);
    if (!hit) return this.local.lookup(model, route, needs);
    const openAi = this.upstreams.openAiModel(hit.up, hit.exposed);
    const admit = this.upstreams.admit(hit.up);
    if (admit.ok) return routedUpstream(hit, openAi);
    const { name, fallback } = hit.up.config;
    if (fallback && hit.viaAlias) {
      const r = this.local.lookup(fallback, route, needs);
      return { ...r, openAi, headers: { [FAILOVER_HEADER]: `upstream ${name} unavailable (circuit open); answered by ${r.id}` } };
    }
    const retryAfter = Math.max(1, Math.ceil(admit.retryAfterMs / 1000));
    throw new HttpError(503, `upstream '${name}' is unavailable (${hit.up.lastError ?? 'it failed repeatedly'}); retry in ${retryAfter} s`, 'server_error', 'upstream_unavailable', null, {
      'retry-after': String(retryAfter),
    });
  }

  async acquire(modelId: string, signal?: AbortSignal): Promise<ProxyTarget> {
    if (!modelId.startsWith(UPSTREAM_ID)) return this.local.acquire(modelId, signal);
    const name = modelId.slice(UPSTREAM_ID.length);
    const up = this.upstreams.get(name);
    if (!up) throw new HttpError(503, `upstream '${name}' was removed`, 'server_error', 'upstream_unavailable', null, { 'retry-after': '1' });
    const base = new URL(up.config.baseUrl);
    return { baseUrl: base.origin, apiKey: up.apiKey ?? '', pathPrefix: base.pathname, timeoutMs: up.config.timeoutSeconds * 1000, name: `the upstream '${name}'` };
  }

  released(modelId: string): void {
    if (!modelId.startsWith(UPSTREAM_ID)) this.local.released?.(modelId);
  }

  finished(modelId: string, status: number, outcome: string | null): void {
    if (!modelId.startsWith(UPSTREAM_ID)) return;
    this.upstreams.record(modelId.slice(UPSTREAM_ID.length), ...verdict(status, outcome));
  }
}

function routedUpstream(hit: UpstreamHit, openAi: OpenAiModel): RoutedModel {
  const name = hit.up.config.name;
  return {
    id: `${UPSTREAM_ID}${name}`,
    slots: hit.up.config.maxConcurrent,
    upstreamModel: hit.model,
    openAi,
    receipt: () => ({ engine: `${UPSTREAM_ID}${name}`, engineVersion: null, modelSha256: null, reproducible: false, upstream: { name, model: hit.model } }),
  };
}

/**
 * What a request's end says about the upstream: unreachable, cut off, timed out or a 5xx answer is a
 * failure; a client that left, a cancel, a 429 (busy, alive) or a request refused before it was sent
 * says nothing; anything else is a success.
 */
export function verdict(status: number, outcome: string | null): ['success' | 'failure' | 'neutral', string?] {
  if (outcome === null || outcome === 'client_closed' || outcome === 'cancelled' || status === 429) return ['neutral'];
  if (outcome === 'engine_failed') return ['failure', status === 502 ? 'request: the upstream could not be reached or stopped mid-answer' : `request: failed (HTTP ${status})`];
  if (outcome === 'timeout') return ['failure', 'request: timed out'];
  if (status >= 500) return ['failure', `request: the upstream answered HTTP ${status}`];
  return ['success'];
}
