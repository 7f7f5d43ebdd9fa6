// The OpenAI-shaped pieces of the API: what the gateway needs from the model router, the model
// list, and validation of request bodies (known fields type-checked, unknown fields passed through
// to the engine, which has its own extensions such as `cache_prompt`).
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { OpenAiModel, OpenAiModelList } from '../../contract/index.js';
import { validate } from '../util/validate.js';
import { HttpError } from '../util/errors.js';
import { sendJson } from './http.js';
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

// The OpenAI-defined fields are checked strictly (a wrong type would otherwise reach the engine,
// whose JSON reader answers 500 — and SDKs retry 5xx); unknown fields pass through untouched.
const num = z.number().finite();
const str = z.string();
const common = {
  model: z.string({ error: (i) => (i.input === undefined ? 'required' : 'must be a string') }).trim().min(1, 'must not be empty'),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional().nullable(),
  seed: z.number().int().optional().nullable(),
  temperature: num.min(0).max(100).optional().nullable(),
  top_p: num.min(0).max(1).optional().nullable(),
  top_k: z.number().int().min(0).optional(),
  min_p: num.min(0).max(1).optional(),
  max_tokens: z.number().int().min(-1).optional().nullable(),
  max_completion_tokens: z.number().int().min(-1).optional().nullable(),
  n_predict: z.number().int().optional(),
  n: z.number().int().min(1).max(128).optional().nullable(),
  presence_penalty: num.min(-2).max(2).optional().nullable(),
  frequency_penalty: num.min(-2).max(2).optional().nullable(),
  repeat_penalty: num.optional(),
  logprobs: z.union([z.boolean(), z.number().int().min(0)]).optional().nullable(),
  top_logprobs: z.number().int().min(0).max(20).optional().nullable(),
  logit_bias: z.record(str, num).optional().nullable(),
  user: str.optional(),
  stop: z.union([str, z.array(str).max(16, 'at most 16 stop sequences')]).optional().nullable(),
  grammar: str.optional().nullable(),
  json_schema: z.looseObject({}).optional().nullable(),
  response_format: z.looseObject({ type: str, json_schema: z.looseObject({}).optional() }).optional().nullable(),
};
const tool = z.looseObject({ type: str, function: z.looseObject({ name: str, description: str.optional(), parameters: z.looseObject({}).optional(), strict: z.boolean().optional().nullable() }).optional() });
const toolFields = {
  tools: z.array(tool).optional().nullable(),
  tool_choice: z.union([str, z.looseObject({ type: str, function: z.looseObject({ name: str }).optional() })]).optional().nullable(),
  parallel_tool_calls: z.boolean().optional().nullable(),
};
/** A content part: the known types are checked field by field, other types pass through to the engine. */
const part = z.looseObject({ type: str }).superRefine((p, ctx) => {
  const need = (field: string, ok: boolean, what: string) => ok || ctx.addIssue({ code: 'custom', path: [field], message: what });
  if (p.type === 'text') need('text', typeof p.text === 'string', 'must be a string');
  else if (p.type === 'image_url') need('image_url', typeof p.image_url === 'string' || typeof (p.image_url as { url?: unknown } | null)?.url === 'string', 'must be an object with a string `url`');
  else if (p.type === 'input_audio') {
    const a = p.input_audio as { data?: unknown; format?: unknown } | null;
    need('input_audio', typeof a?.data === 'string' && typeof a?.format === 'string', 'must be an object with string `data` and `format`');
  }
});
const content = z.union([str, z.array(part), z.null()]);
const message = z.looseObject({ role: str, content: content.optional(), name: str.optional(), tool_calls: z.array(z.looseObject({})).optional().nullable(), tool_call_id: str.optional() });
const prompt = z.union([str, z.array(str), z.array(z.number().int()), z.array(z.array(z.number().int()))]);

const BODIES: Record<string, z.ZodType<Record<string, unknown>>> = {
  '/v1/chat/completions': z.looseObject({ ...common, ...toolFields, messages: z.array(message).min(1, 'must contain at least one message') }),
  '/v1/completions': z.looseObject({ ...common, prompt }),
  '/v1/embeddings': z.looseObject({ model: common.model, input: prompt, encoding_format: z.enum(['float', 'base64']).optional() }),
  '/v1/rerank': z.looseObject({ model: common.model, query: z.string(), documents: z.array(z.string()).min(1, 'must contain at least one document') }),
  '/v1/responses': z.looseObject({ ...common, ...toolFields, input: z.unknown() }),
  // Anthropic's tool shapes differ ({name, input_schema}; tool_choice {type, name}): objects only.
  '/v1/messages': z.looseObject({ ...common, tools: z.array(z.looseObject({})).optional().nullable(), tool_choice: z.looseObject({}).optional().nullable(), messages: z.array(message).min(1, 'must contain at least one message') }),
};

/** Validate a body for its route; errors name the field (`messages.0.role`). */
export function validateInference(route: string, body: Record<string, unknown>): Record<string, unknown> & { model: string; stream?: boolean } {
  const schema = BODIES[route];
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
