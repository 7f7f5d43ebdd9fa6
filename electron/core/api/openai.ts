// The OpenAI-shaped pieces of the API: what the gateway needs from the model router, the model
// list, and validation of request bodies (known fields type-checked, unknown fields passed through
// to the engine, which has its own extensions such as `cache_prompt`).
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { OpenAiModel, OpenAiModelList } from '../../contract/index.js';
import { validate } from '../util/validate.js';
import { HttpError } from '../util/errors.js';
import { sendJson } from './http.js';
import type { ProxyTarget } from './proxy.js';

export interface RoutedModel {
  id: string;
  /** Concurrent requests the engine serves (its slots); more wait in the admission queue. */
  slots: number;
  /** Facts for the receipt, read after the engine is ready (its version is known by then). */
  receipt(): {
    engine: string;
    engineVersion: string | null;
    modelSha256: string | null;
    reproducible: boolean;
  };
}

/** What the API needs from the rest of the core to route a request. */
export interface ModelRouter {
  list(): OpenAiModel[];
  /** One model by name or alias (GET /v1/models/{id}); throws HttpError 404 listing what exists. */
  model(id: string): OpenAiModel;
  /** The deployment for a request's `model` on a route; 404 listing what exists, 400 for the wrong role. */
  lookup(model: string, route: string): RoutedModel;
  /** A ready engine for the model, loading it on demand; throws HttpError 503 if it cannot start. */
  acquire(modelId: string, signal?: AbortSignal): Promise<ProxyTarget>;
  /** Called when a request on the model ends (idle timers). */
  released?(modelId: string): void;
}

export function listModels(res: ServerResponse, router: ModelRouter): void {
  const body: OpenAiModelList = { object: 'list', data: router.list() };
  sendJson(res, 200, body);
}

export function getModel(res: ServerResponse, router: ModelRouter, id: string): void {
  sendJson(res, 200, router.model(id));
}

const num = z.number().finite();
const common = {
  model: z.string({ error: (i) => (i.input === undefined ? 'required' : 'must be a string') }).trim().min(1, 'must not be empty'),
  stream: z.boolean().optional(),
  seed: z.number().int().optional(),
  temperature: num.min(0).max(100).optional(),
  top_p: num.min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  min_p: num.min(0).max(1).optional(),
  max_tokens: z.number().int().min(-1).optional().nullable(),
  n_predict: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional().nullable(),
};
const content = z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]);
const message = z.looseObject({ role: z.string(), content: content.optional() });

const BODIES: Record<string, z.ZodType<Record<string, unknown>>> = {
  '/v1/chat/completions': z.looseObject({ ...common, messages: z.array(message).min(1, 'must contain at least one message') }),
  '/v1/completions': z.looseObject({ ...common, prompt: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]) }),
  '/v1/embeddings': z.looseObject({ model: common.model, input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]) }),
  '/v1/rerank': z.looseObject({ model: common.model, query: z.string(), documents: z.array(z.string()).min(1, 'must contain at least one document') }),
  '/v1/responses': z.looseObject({ ...common, input: z.unknown() }),
  '/v1/messages': z.looseObject({ ...common, messages: z.array(message).min(1, 'must contain at least one message') }),
};

/** Validate a body for its route; errors name the field (`messages.0.role`). */
export function validateInference(route: string, body: Record<string, unknown>): Record<string, unknown> & { model: string; stream?: boolean } {
  const schema = BODIES[route];
  if (!schema) throw new HttpError(404, `unknown route ${route}`, 'not_found_error', 'route_not_found');
  return validate(schema, body, 'request') as Record<string, unknown> & { model: string; stream?: boolean };
}

/** Sampling parameters a receipt records (whatever the client set; engine defaults otherwise). */
export function samplingOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['temperature', 'top_p', 'top_k', 'min_p', 'seed', 'max_tokens', 'n_predict', 'repeat_penalty', 'presence_penalty', 'frequency_penalty', 'stop']) {
    if (body[k] !== undefined) out[k] = body[k];
  }
  return out;
}
