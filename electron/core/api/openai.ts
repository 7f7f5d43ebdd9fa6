// The OpenAI-shaped pieces of the API: what the gateway needs from the model router, the model
// list, and validation of request bodies (known fields type-checked, unknown fields passed through
// to the engine, which has its own extensions such as `cache_prompt`).
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { INFERENCE_BODIES, type OpenAiModel, type OpenAiModelList } from '../../contract/index.js';
import { validate } from '../util/validate.js';
import { HttpError } from '../util/errors.js';
import { sendJson } from '../http/http.js';
import type { ProxyTarget } from './proxy.js';

export interface RoutedModel {
  /** The deployment name, or `upstream:<name>` for a remote upstream (admission, metrics, logs). */
  id: string;
  /** Concurrent requests the engine serves (its slots); more wait in the admission queue. */
  slots: number;
  /** Facts for the receipt, read after the engine is ready (its version is known by then). */
  receipt(): {
    engine: string;
    engineVersion: string | null;
    modelSha256: string | null;
    reproducible: boolean;
    upstream?: { name: string; model: string };
  };
  /** A remote upstream: the model id it is asked for (the body's `model` is rewritten to it). */
  upstreamModel?: string;
  /** The model as the key allow-list sees it (the name the client used), when not `id`'s. */
  openAi?: OpenAiModel;
  /** Extra answer headers (a failover says so). */
  headers?: Record<string, string>;
}

/** What the API needs from the rest of the core to route a request. */
export interface ModelRouter {
  list(): OpenAiModel[];
  /** One model by name or alias (GET /v1/models/{id}); throws HttpError 404 listing what exists. */
  model(id: string): OpenAiModel;
  /** The deployment for a request's `model` on a route; 404 listing what exists, 400 for the wrong role. */
  lookup(model: string, route: string, needs?: { images?: boolean }): RoutedModel;
  /** A ready engine for the model, loading it on demand; throws HttpError 503 if it cannot start. */
  acquire(modelId: string, signal?: AbortSignal): Promise<ProxyTarget>;
  /** Called when a request on the model ends (idle timers). */
  released?(modelId: string): void;
  /** How a request on the model ended (null: it never reached the engine); upstream circuits count it. */
  finished?(modelId: string, status: number, outcome: string | null): void;
}

export function listModels(res: ServerResponse, router: ModelRouter, visible: (m: OpenAiModel) => boolean = () => true): void {
  const body: OpenAiModelList = { object: 'list', data: router.list().filter(visible) };
  sendJson(res, 200, body);
}

export function getModel(res: ServerResponse, model: OpenAiModel): void {
  sendJson(res, 200, model);
}

/** Validate a body for its route; errors name the field (`messages.0.role`). */
export function validateInference(route: string, body: Record<string, unknown>): Record<string, unknown> & { model: string; stream?: boolean } {
  const schema = INFERENCE_BODIES[route];
  if (!schema) throw new HttpError(404, `unknown route ${route}`, 'not_found_error', 'route_not_found');
  return validate(schema, body, 'request') as Record<string, unknown> & { model: string; stream?: boolean };
}

/** Content part types that carry an image: OpenAI chat, OpenAI responses, Anthropic messages. */
const IMAGE_PARTS = new Set(['image_url', 'input_image', 'image']);

/** Whether a (validated) body holds image input anywhere in its messages (`input` for /v1/responses). */
export function hasImageInput(body: Record<string, unknown>): boolean {
  const items = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  return items.some((m: unknown) => {
    const content = (m as { content?: unknown } | null)?.content;
    return Array.isArray(content) && content.some((p: unknown) => IMAGE_PARTS.has((p as { type?: unknown } | null)?.type as string));
  });
}

/** A receipt value longer than this (a long `stop`) is recorded as its sha256. */
const RECEIPT_VALUE_CHARS = 64;

/**
 * Sampling parameters a receipt records (whatever the client set; engine defaults otherwise). Only
 * scalar values the schema has checked are copied; long strings and lists become `sha256:<hex>`, so
 * the header stays small whatever the request holds.
 */
export function samplingOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['temperature', 'top_p', 'top_k', 'min_p', 'seed', 'max_tokens', 'n_predict', 'repeat_penalty', 'presence_penalty', 'frequency_penalty', 'stop']) {
    const v = body[k];
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string' || Array.isArray(v)) {
      const text = JSON.stringify(v);
      out[k] = text.length <= RECEIPT_VALUE_CHARS ? v : `sha256:${createHash('sha256').update(text).digest('hex')}`;
    }
  }
  return out;
}
