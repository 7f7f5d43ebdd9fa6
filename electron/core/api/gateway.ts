// The inference pipeline behind every /v1 route: identify the caller, validate the body, route by
// `model`, wait for a slot (or 429), make sure the engine is ready (loading on demand), stream the
// answer through, then record metrics and a metadata-only log line. See DESIGN.md.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PREFIXES, RECEIPT_HEADER, type Receipt } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import type { AccessPolicy } from './access.js';
import type { Admission } from './admission.js';
import { parseJsonObject, readBody } from '../http/http.js';
import type { KeyPolicy } from './key-policy.js';
import type { GatewayMetrics } from './metrics.js';
import { hasImageInput, samplingOf, validateInference, type ModelRouter, type RoutedModel } from './openai.js';
import { EngineConnections } from './engine-client.js';
import { proxyToEngine, type ProxyOutcome } from './proxy.js';
import type { ActivityLog } from '../logs/request-log.js';
import type { RequestRegistry } from './requests.js';
import type { RequestRow } from '../store/types.js';

export interface GatewayLimits {
  maxBodyBytes: number;
  requestTimeoutSeconds: number;
  /** Store prompts and answers in the request log (off by default: customer data). */
  logContent: boolean;
}

/** How much of a request and of its answer content logging keeps. */
const CONTENT_LOG_BYTES = 64 * 1024;

export interface GatewayDeps {
  router: ModelRouter;
  access: AccessPolicy;
  admission: Admission;
  /** The caller's key limits (allow-list, rate, token quotas) and its usage counters. */
  policy: KeyPolicy;
  requests: RequestRegistry;
  metrics: GatewayMetrics;
  log: ActivityLog;
  limits: () => GatewayLimits;
  /** The operations store (request metadata for reports); queued, never failing a request. */
  store?: { recordRequest(row: RequestRow): void };
}

export class Gateway {
  /** This gateway's connections to engines (closed by close()). */
  private readonly connections = new EngineConnections();

  constructor(private readonly deps: GatewayDeps) {}

  /** Drop the spare engine connections (the core is stopping). */
  close(): void {
    this.connections.destroy();
  }

  async handle(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const started = performance.now();
    const id = requestIdOf(req);
    res.setHeader('x-request-id', id);
    const { router, admission, requests, metrics } = this.deps;
    const caller = this.deps.access.forInference(req);
    const limits = this.deps.limits();
    let model = '';
    /** Set once routed, also when the key's limits then refuse the request (an upstream's probe is freed). */
    let routedId = '';
    let outcome: ProxyOutcome | null = null;
    let status = 500;
    let release: (() => void) | null = null;
    let requestBody: Buffer | null = null;
    const clientGone = new AbortController();
    const onClose = () => !res.writableFinished && clientGone.abort();
    res.on('close', onClose);
    try {
      const raw = await readBody(req, limits.maxBodyBytes);
      if (limits.logContent) requestBody = raw;
      const parsed = parseJsonObject(raw);
      const body = validateInference(route, parsed);
      const routed = router.lookup(body.model, route, { images: hasImageInput(body) });
      routedId = routed.id;
      this.deps.policy.admit(caller, res, () => routed.openAi ?? router.model(routed.id));
      model = routed.id;
      for (const [name, value] of Object.entries(routed.headers ?? {})) res.setHeader(name, value);
      // Fair share: the slots are shared between the keys waiting for this model.
      release = await admission.acquire(model, routed.slots, clientGone.signal, caller.keyId ?? '');
      const cancel = requests.begin(id, model, caller.keyId);
      const target = await router.acquire(model, clientGone.signal);
      // A remote upstream knows the model by its own id and serves the routes under its base path.
      const sent = routed.upstreamModel !== undefined ? Buffer.from(JSON.stringify({ ...parsed, model: routed.upstreamModel })) : raw;
      outcome = await proxyToEngine(req, res, target, target.pathPrefix !== undefined ? target.pathPrefix + route.slice(API_PREFIXES.openai.length) : route, sent, {
        headers: { 'x-request-id': id, [RECEIPT_HEADER]: receipt(routed, body, id) },
        signal: cancel,
        timeoutMs: target.timeoutMs ?? limits.requestTimeoutSeconds * 1000,
        connections: this.connections,
        ...(limits.logContent ? { captureBytes: CONTENT_LOG_BYTES } : {}),
      });
      status = outcome.status;
    } catch (err) {
      status = err instanceof HttpError ? err.status : clientGone.signal.aborted ? 499 : 500;
      if (clientGone.signal.aborted && !(err instanceof HttpError)) return; // client left while queued or loading
      throw err;
    } finally {
      res.off('close', onClose);
      release?.();
      if (model) router.released?.(model);
      if (routedId) router.finished?.(routedId, status, outcome?.outcome ?? null);
      const how = outcome?.outcome ?? 'rejected';
      requests.end(id, how);
      const usage = outcome ? usageOf(outcome.tail) : null;
      if (outcome) this.deps.policy.record(caller, (usage?.prompt ?? 0) + (usage?.completion ?? 0));
      const totalMs = performance.now() - started;
      const ttftMs = outcome?.firstTokenAt != null ? outcome.firstTokenAt - started : null;
      const tpotMs = outcome ? timePerToken(outcome.tail, usage?.completion ?? null, totalMs, ttftMs) : null;
      const labels = { model: model || '(none)', route, status: String(status), outcome: how };
      metrics.requests.inc(labels);
      if (model) {
        metrics.latency.observe({ model, route }, totalMs / 1000);
        if (outcome?.firstByteMs != null) metrics.ttfb.observe({ model }, outcome.firstByteMs / 1000);
        if (ttftMs !== null) metrics.ttft.observe({ model }, ttftMs / 1000);
        if (tpotMs !== null) metrics.tpot.observe({ model }, tpotMs / 1000);
        if (usage?.prompt) metrics.tokensIn.inc({ model }, usage.prompt);
        if (usage?.completion) metrics.tokensOut.inc({ model }, usage.completion);
        if (how === 'client_closed' || how === 'cancelled') metrics.cancellations.inc({ model, how });
      }
      metrics.keyRequests.inc({ key: caller.keyId ?? '(none)' });
      if (usage) metrics.keyTokens.inc({ key: caller.keyId ?? '(none)' }, usage.prompt + usage.completion);
      this.deps.store?.recordRequest({
        timeMs: Date.now(),
        deployment: model || '(none)',
        keyId: caller.keyId,
        route,
        status,
        outcome: how,
        promptTokens: usage?.prompt ?? null,
        completionTokens: usage?.completion ?? null,
        ttftMs: ttftMs !== null ? Math.round(ttftMs * 100) / 100 : null,
        tpotMs: tpotMs !== null ? Math.round(tpotMs * 1000) / 1000 : null,
        totalMs: Math.round(totalMs * 100) / 100,
      });
      this.deps.log.request({
        time: new Date().toISOString(),
        id,
        model,
        route,
        status,
        outcome: how,
        promptTokens: usage?.prompt ?? null,
        completionTokens: usage?.completion ?? null,
        firstByteMs: outcome?.firstByteMs != null ? Math.round(outcome.firstByteMs * 100) / 100 : null,
        totalMs: Math.round(totalMs * 100) / 100,
        keyId: caller.keyId,
        ...(limits.logContent && requestBody ? { content: { request: requestBody.toString('utf8', 0, CONTENT_LOG_BYTES), response: outcome?.captured?.toString('utf8') ?? '' } } : {}),
      });
    }
  }
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : `req-${randomUUID()}`;
}

/** The receipt header never exceeds this (Node's fetch refuses response headers over 16 KiB in all). */
export const RECEIPT_MAX_BYTES = 2048;

/** The receipt: what produced this answer, so it can be reproduced (ASCII JSON for a header, capped). */
function receipt(routed: RoutedModel, body: Record<string, unknown>, id: string): string {
  const facts = routed.receipt();
  const r: Receipt = {
    id,
    model: routed.id,
    modelSha256: facts.modelSha256,
    engine: facts.engine,
    engineVersion: facts.engineVersion,
    slots: routed.slots,
    reproducible: facts.reproducible,
    sampling: samplingOf(body),
    ...(facts.upstream ? { upstream: facts.upstream } : {}),
  };
  const ascii = (o: unknown) => JSON.stringify(o).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const text = ascii(r);
  if (text.length <= RECEIPT_MAX_BYTES) return text;
  // Only a very long model or engine name gets here: keep the fixed facts, hash the sampling.
  const sampling = { sha256: createHash('sha256').update(JSON.stringify(r.sampling)).digest('hex') };
  // 100 characters each: even written as \\u escapes (6 bytes a character) the whole stays under the cap.
  return ascii({ ...r, sampling, engine: r.engine.slice(0, 100), model: r.model.slice(0, 100) });
}

/**
 * Time per output token after the first: the engine's own figure (`timings.predicted_per_token_ms`)
 * where the answer carries it, else the time after the first token spread over the rest.
 */
export function timePerToken(tail: string, completion: number | null, totalMs: number, ttftMs: number | null): number | null {
  const own = /"predicted_per_token_ms"\s*:\s*([\d.eE+-]+)/.exec(tail.slice(tail.lastIndexOf('"timings"')));
  if (tail.includes('"timings"') && own && Number.isFinite(Number(own[1]))) return Number(own[1]);
  if (ttftMs === null || completion === null || completion < 2) return null;
  return (totalMs - ttftMs) / (completion - 1);
}

/**
 * Token counts from the last `usage` object in the answer's tail (streamed or not); a stream without
 * `stream_options.include_usage` has none, so llama-server's `timings` of its last event are read
 * instead (prompt = cached + evaluated prompt tokens).
 */
export function usageOf(tail: string): { prompt: number; completion: number } | null {
  const i = tail.lastIndexOf('"usage"');
  if (i < 0) return timingsOf(tail);
  const p = /"prompt_tokens"\s*:\s*(\d+)/.exec(tail.slice(i));
  const c = /"completion_tokens"\s*:\s*(\d+)/.exec(tail.slice(i));
  return p || c ? { prompt: p ? Number(p[1]) : 0, completion: c ? Number(c[1]) : 0 } : null;
}

function timingsOf(tail: string): { prompt: number; completion: number } | null {
  const i = tail.lastIndexOf('"timings"');
  if (i < 0) return null;
  const t = tail.slice(i);
  const n = (field: string) => Number(new RegExp(`"${field}"\\s*:\\s*(\\d+)`).exec(t)?.[1] ?? 0);
  const predicted = /"predicted_n"\s*:\s*(\d+)/.exec(t);
  return predicted ? { prompt: n('cache_n') + n('prompt_n'), completion: Number(predicted[1]) } : null;
}
