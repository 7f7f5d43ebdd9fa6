// The OpenAI-compatible routes: route by `model`, make sure an engine serves it, then stream the
// engine's answer through unchanged.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAiModel, OpenAiModelList } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { parseJsonObject, readBody, sendJson } from './http.js';
import { proxyToEngine, type ProxyOutcome, type ProxyTarget } from './proxy.js';

/** What the API needs from the rest of the core to route a request. */
export interface ModelRouter {
  list(): OpenAiModel[];
  /** A ready engine for the model; throws HttpError 404 (unknown model) or 503 (cannot start). */
  acquire(modelId: string): Promise<ProxyTarget>;
}

export interface InferenceObserver {
  onFinish?(info: { requestId: string; model: string; route: string; status: number; outcome: ProxyOutcome['outcome'] | 'rejected'; ms: number }): void;
}

export function listModels(res: ServerResponse, router: ModelRouter): void {
  const body: OpenAiModelList = { object: 'list', data: router.list() };
  sendJson(res, 200, body);
}

export async function forwardInference(
  req: IncomingMessage,
  res: ServerResponse,
  router: ModelRouter,
  enginePath: string,
  bodyLimit: number,
  observer: InferenceObserver = {},
): Promise<void> {
  const started = performance.now();
  const requestId = (typeof req.headers['x-request-id'] === 'string' && /^[\w.-]{1,128}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : null) ?? `req-${randomUUID()}`;
  res.setHeader('x-request-id', requestId);
  let model = '';
  try {
    const raw = await readBody(req, bodyLimit);
    const body = parseJsonObject(raw);
    model = requireModel(body);
    if ('stream' in body && typeof body.stream !== 'boolean') {
      throw new HttpError(400, '`stream` must be a boolean', 'invalid_request_error', 'invalid_type', 'stream');
    }
    const target = await router.acquire(model);
    const result = await proxyToEngine(req, res, target, enginePath, raw, { 'x-request-id': requestId });
    observer.onFinish?.({ requestId, model, route: enginePath, status: result.status, outcome: result.outcome, ms: performance.now() - started });
  } catch (err) {
    observer.onFinish?.({ requestId, model, route: enginePath, status: err instanceof HttpError ? err.status : 500, outcome: 'rejected', ms: performance.now() - started });
    throw err;
  }
}

function requireModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (model === undefined) throw new HttpError(400, 'missing required field `model`', 'invalid_request_error', 'missing_field', 'model');
  if (typeof model !== 'string' || model.trim() === '') {
    throw new HttpError(400, '`model` must be a non-empty string', 'invalid_request_error', 'invalid_type', 'model');
  }
  return model;
}

export function unknownModel(model: string, available: string[]): HttpError {
  const list = available.length ? available.join(', ') : 'none (import or pull a model first)';
  return new HttpError(404, `model '${model}' not found; available models: ${list}`, 'not_found_error', 'model_not_found', 'model');
}
