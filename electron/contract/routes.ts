// The route table: every route of the local HTTP API declared once — method, path template with its
// parameters, query, request and response schemas, error statuses and the scope a caller needs. The
// server dispatches through `matchRoute`, the ROUTES helpers the renderer and CLI call are built with
// `pathOf`, and the OpenAPI document (openapi.ts) is generated from this table. No route string is
// written anywhere else (test/unit/api/route-strings.test.ts greps for them).
import { z } from 'zod';
import { deploymentInputSchema, deploymentPatchSchema, placementOverridesSchema } from './deployments.js';
import * as o from './openai.js';
import * as s from './schemas.js';
import { upstreamInputSchema } from './upstreams.js';
import { workerAddSchema } from './workers.js';

/** The two API families: OpenAI-compatible inference and the admin API. */
export const API_PREFIXES = { openai: '/v1', admin: '/api/v1' } as const;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `public`: anyone who passes the Host/CORS checks; `inference`: any key (or loopback without keys); `admin`: the admin session or an admin key. */
export type RouteScope = 'public' | 'inference' | 'admin';

export interface ResponseDef {
  description: string;
  /** Media type → body schema (null: a body we do not describe, e.g. a zip or an SSE stream). */
  content?: Record<string, z.ZodType | null>;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: HttpMethod;
  /** Path template; `{name}` is one percent-encoded segment. */
  path: string;
  summary: string;
  tag: 'system' | 'openai' | 'requests' | 'instances' | 'deployments' | 'models' | 'engines' | 'hardware' | 'keys' | 'settings' | 'reports' | 'kit' | 'upstreams' | 'workers';
  scope: RouteScope;
  query?: z.ZodObject;
  request?: z.ZodType;
  /** The request body's media type when it is not JSON (e.g. an uploaded archive). */
  requestType?: string;
  responses: Record<number, ResponseDef>;
  /** Error statuses this route answers with the error envelope (besides 401/403 of its scope). */
  errors?: number[];
  /** A route on its way out (CHANGELOG.md: announced, then kept until `sunset` at least). */
  deprecated?: { since: string; sunset: string; use: string };
}

/**
 * The headers a deprecated route answers with: `Deprecation` (RFC 9745, `@` epoch seconds) and
 * `Sunset` (RFC 8594, an HTTP date), plus a `Link` to what replaces it.
 */
export function deprecationHeaders(r: RouteDef): Record<string, string> {
  if (!r.deprecated) return {};
  const { since, sunset, use } = r.deprecated;
  return { deprecation: `@${Math.floor(Date.parse(since) / 1000)}`, sunset: new Date(sunset).toUTCString(), link: `<${use}>; rel="successor-version"` };
}

const json = (schema: z.ZodType, description = 'OK'): ResponseDef => ({ description, content: { 'application/json': schema } });
const sse = (description: string): ResponseDef => ({ description, content: { 'text/event-stream': null } });
const none = (description = 'Done, no body'): ResponseDef => ({ description });
const q = (shape: Record<string, z.ZodType>) => z.object(shape);
const RECEIPT = {
  'x-llama-orch-receipt': 'The reproducibility receipt (JSON): model, model sha256, engine, slots, sampling',
  'x-request-id': 'The request id (the one sent, or a new one); cancel with POST /api/v1/requests/{id}/cancel',
};
const inference = (path: string, summary: string, request: z.ZodType, response: z.ZodType): RouteDef => ({
  method: 'POST',
  path,
  summary,
  tag: 'openai',
  scope: 'inference',
  request,
  responses: { 200: { description: 'The engine’s answer, passed through (JSON, or SSE with `stream: true`)', content: { 'application/json': response, 'text/event-stream': null }, headers: RECEIPT } },
  errors: [400, 404, 409, 413, 429, 500, 502, 503, 504],
});

export const API = {
  healthz: { method: 'GET', path: '/healthz', summary: 'Liveness and problems', tag: 'system', scope: 'public', responses: { 200: json(s.healthzSchema) } },
  metrics: {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'system',
    scope: 'inference',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': null } } },
  },
  openapi: { method: 'GET', path: '/openapi.json', summary: 'This document', tag: 'system', scope: 'public', responses: { 200: json(z.looseObject({ openapi: z.string() })) } },
  login: {
    method: 'GET',
    path: '/auth/login',
    summary: 'Trade a one-time login token for the admin session cookie',
    tag: 'system',
    scope: 'public',
    query: q({ token: z.string() }),
    responses: { 302: { description: 'Session cookie set; redirect to the UI', headers: { 'set-cookie': 'The admin session (HttpOnly, SameSite=Strict)' } } },
    errors: [401],
  },

  openaiModels: { method: 'GET', path: '/v1/models', summary: 'Models this caller may use', tag: 'openai', scope: 'inference', responses: { 200: json(s.openAiModelListSchema) } },
  openaiModel: { method: 'GET', path: '/v1/models/{id}', summary: 'One model', tag: 'openai', scope: 'inference', responses: { 200: json(s.openAiModelSchema) }, errors: [404] },
  chatCompletions: inference('/v1/chat/completions', 'Chat completion (OpenAI)', o.chatCompletionsRequestSchema, s.chatResponseSchema),
  completions: inference('/v1/completions', 'Text completion (OpenAI)', o.completionsRequestSchema, s.completionResponseSchema),
  embeddings: inference('/v1/embeddings', 'Embeddings (OpenAI)', o.embeddingsRequestSchema, s.embeddingsResponseSchema),
  responses: inference('/v1/responses', 'Responses (OpenAI)', o.responsesRequestSchema, s.responsesResponseSchema),
  messages: inference('/v1/messages', 'Messages (Anthropic-compatible)', o.messagesRequestSchema, s.messagesResponseSchema),
  rerank: inference('/v1/rerank', 'Rerank documents (llama.cpp / Jina shape)', o.rerankRequestSchema, s.rerankResponseSchema),
  requestCancel: {
    method: 'POST',
    path: '/api/v1/requests/{id}/cancel',
    summary: 'Cancel an inference request (the key that started it, or an admin)',
    tag: 'requests',
    scope: 'inference',
    responses: { 200: json(s.cancelSchema) },
    errors: [403, 404],
  },

  status: { method: 'GET', path: '/api/v1/status', summary: 'Version, data folder and instances', tag: 'system', scope: 'admin', responses: { 200: json(s.statusSchema) } },
  events: {
    method: 'GET',
    path: '/api/v1/events',
    summary: 'Core events (instance state, progress, alerts) as SSE, starting with a snapshot',
    tag: 'system',
    scope: 'admin',
    responses: { 200: sse('One JSON CoreEvent per `data:` line') },
  },
  instances: { method: 'GET', path: '/api/v1/instances', summary: 'Running engine instances', tag: 'instances', scope: 'admin', responses: { 200: json(s.instanceListSchema) } },
  startInstance: {
    method: 'POST',
    path: '/api/v1/instances',
    summary: 'Start a model now (optionally with placement overrides)',
    tag: 'instances',
    scope: 'admin',
    request: placementOverridesSchema.extend({ model: z.string().min(1).max(4096), engine: z.string().min(1).max(4096).optional(), wait: z.boolean().optional() }),
    responses: { 200: json(s.instanceInfoSchema, 'Already running'), 201: json(s.instanceInfoSchema, 'Started and ready (wait)'), 202: json(s.instanceInfoSchema, 'Starting') },
    errors: [400, 404, 409, 503],
  },
  instance: { method: 'DELETE', path: '/api/v1/instances/{id}', summary: 'Stop an instance', tag: 'instances', scope: 'admin', responses: { 204: none('Stopped') }, errors: [404] },
  instanceLogs: {
    method: 'GET',
    path: '/api/v1/instances/{id}/logs',
    summary: 'The last lines of an engine’s log, then live lines (SSE; JSON with follow=0)',
    tag: 'instances',
    scope: 'admin',
    query: q({ tail: z.string().optional(), follow: z.enum(['0', '1']).optional() }),
    responses: { 200: { description: 'SSE `log` events, or { data: LogLine[] } with follow=0', content: { 'text/event-stream': null, 'application/json': s.logTailSchema } } },
    errors: [400, 404],
  },
  instanceFacts: {
    method: 'GET',
    path: '/api/v1/instances/{id}/facts',
    summary: 'What the engine reported about itself',
    tag: 'instances',
    scope: 'admin',
    responses: { 200: json(s.instanceFactsSchema) },
    errors: [404],
  },

  deployments: { method: 'GET', path: '/api/v1/deployments', summary: 'Deployments with their live instances', tag: 'deployments', scope: 'admin', responses: { 200: json(s.deploymentListSchema) } },
  createDeployment: {
    method: 'POST',
    path: '/api/v1/deployments',
    summary: 'Save a deployment',
    tag: 'deployments',
    scope: 'admin',
    request: deploymentInputSchema,
    responses: { 201: json(s.deploymentViewSchema) },
    errors: [400, 404, 409],
  },
  deployment: { method: 'GET', path: '/api/v1/deployments/{name}', summary: 'One deployment', tag: 'deployments', scope: 'admin', responses: { 200: json(s.deploymentViewSchema) }, errors: [404] },
  updateDeployment: {
    method: 'PATCH',
    path: '/api/v1/deployments/{name}',
    summary: 'Change a deployment (a running one restarts)',
    tag: 'deployments',
    scope: 'admin',
    request: deploymentPatchSchema,
    responses: { 200: json(s.deploymentViewSchema) },
    errors: [400, 404, 409],
  },
  deleteDeployment: { method: 'DELETE', path: '/api/v1/deployments/{name}', summary: 'Remove a deployment', tag: 'deployments', scope: 'admin', responses: { 204: none('Removed') }, errors: [404] },
  loadDeployment: {
    method: 'POST',
    path: '/api/v1/deployments/{name}/load',
    summary: 'Start a deployment’s engine',
    tag: 'deployments',
    scope: 'admin',
    query: q({ wait: z.enum(['0', '1']).optional() }),
    responses: { 200: json(s.instanceInfoSchema, 'Ready (wait=1)'), 202: json(s.instanceInfoSchema, 'Starting') },
    errors: [404, 409, 503],
  },
  unloadDeployment: {
    method: 'POST',
    path: '/api/v1/deployments/{name}/unload',
    summary: 'Stop a deployment’s engine',
    tag: 'deployments',
    scope: 'admin',
    responses: { 204: none('Stopped') },
    errors: [404],
  },

  models: { method: 'GET', path: '/api/v1/models', summary: 'The model library, disk use and pulls', tag: 'models', scope: 'admin', responses: { 200: json(s.modelListSchema) } },
  modelSearch: {
    method: 'GET',
    path: '/api/v1/models/search',
    summary: 'GGUF repositories on the hub',
    tag: 'models',
    scope: 'admin',
    query: q({ q: z.string(), limit: z.string().optional() }),
    responses: { 200: json(s.modelSearchSchema) },
    errors: [400, 502, 503],
  },
  modelPulls: { method: 'GET', path: '/api/v1/models/pulls', summary: 'Pulls (progress also on /api/v1/events)', tag: 'models', scope: 'admin', responses: { 200: json(s.pullListSchema) } },
  importModel: {
    method: 'POST',
    path: '/api/v1/models/import',
    summary: 'Import a GGUF file from this machine',
    tag: 'models',
    scope: 'admin',
    request: s.importModelRequestSchema,
    responses: { 201: json(s.modelManifestSchema) },
    errors: [400, 404, 409, 507],
  },
  pullModel: {
    method: 'POST',
    path: '/api/v1/models/pull',
    summary: 'Download a model from the hub',
    tag: 'models',
    scope: 'admin',
    request: s.pullModelRequestSchema,
    responses: { 201: json(s.modelManifestSchema, 'Pulled (wait)'), 202: json(s.pullInfoSchema, 'Pull started') },
    errors: [400, 404, 409, 502, 503, 507],
  },
  cancelPull: {
    method: 'POST',
    path: '/api/v1/models/pulls/{id}/cancel',
    summary: 'Stop a pull (running: bytes kept; paused/failed: bytes discarded)',
    tag: 'models',
    scope: 'admin',
    responses: { 200: json(s.pullInfoSchema) },
    errors: [404],
  },
  pausePull: { method: 'POST', path: '/api/v1/models/pulls/{id}/pause', summary: 'Pause a pull', tag: 'models', scope: 'admin', responses: { 200: json(s.pullInfoSchema) }, errors: [404, 409] },
  resumePull: {
    method: 'POST',
    path: '/api/v1/models/pulls/{id}/resume',
    summary: 'Resume a pull from the bytes on disk',
    tag: 'models',
    scope: 'admin',
    responses: { 200: json(s.pullInfoSchema) },
    errors: [404, 409],
  },
  model: { method: 'GET', path: '/api/v1/models/{id}', summary: 'A model’s manifest and disk bytes', tag: 'models', scope: 'admin', responses: { 200: json(s.modelDetailSchema) }, errors: [404] },
  verifyModel: { method: 'POST', path: '/api/v1/models/{id}/verify', summary: 'Re-hash a model’s files', tag: 'models', scope: 'admin', responses: { 200: json(s.verifyModelSchema) }, errors: [404] },
  deleteModel: { method: 'DELETE', path: '/api/v1/models/{id}', summary: 'Delete a model (409 while loaded)', tag: 'models', scope: 'admin', responses: { 204: none('Deleted') }, errors: [404, 409] },
  plans: {
    method: 'POST',
    path: '/api/v1/plans',
    summary: 'Where a model would go on this machine, without starting it',
    tag: 'models',
    scope: 'admin',
    request: z.object({
      model: z.string().min(1),
      overrides: placementOverridesSchema.optional(),
      hardware: z.looseObject({ schemaVersion: z.literal(1), gpus: z.array(z.unknown()), memory: z.looseObject({ totalBytes: z.number() }), cpu: z.looseObject({}) }).optional(),
    }),
    responses: { 200: json(s.planResponseSchema) },
    errors: [400],
  },
  catalog: {
    method: 'GET',
    path: '/api/v1/catalog',
    summary: 'The first-run catalogue with this machine’s verdicts',
    tag: 'models',
    scope: 'admin',
    responses: { 200: json(s.catalogResponseSchema) },
  },

  engines: { method: 'GET', path: '/api/v1/engines', summary: 'Installed engines', tag: 'engines', scope: 'admin', responses: { 200: json(s.engineListSchema) } },
  installEngine: {
    method: 'POST',
    path: '/api/v1/engines/install',
    summary: 'Install a llama.cpp release build',
    tag: 'engines',
    scope: 'admin',
    request: s.installEngineRequestSchema,
    responses: { 200: json(s.installEngineResponseSchema, 'Already installed'), 201: json(s.installEngineResponseSchema, 'Installed (wait)'), 202: json(s.installEngineResponseSchema, 'Installing') },
    errors: [400, 404, 409, 422, 502],
  },
  importEngine: {
    method: 'POST',
    path: '/api/v1/engines/import',
    summary: 'Import an uploaded engine archive (the raw body): verified, unpacked, self-tested',
    tag: 'engines',
    scope: 'admin',
    query: q({ name: z.string(), sha256: z.string().optional() }),
    request: z.string().describe('The archive bytes'),
    requestType: 'application/octet-stream',
    responses: { 201: json(s.engineInfoSchema, 'Imported') },
    errors: [400, 409, 413, 422],
  },
  deleteEngine: {
    method: 'DELETE',
    path: '/api/v1/engines/{id}',
    summary: 'Remove an engine (409 while in use)',
    tag: 'engines',
    scope: 'admin',
    responses: { 204: none('Removed') },
    errors: [404, 409],
  },
  defaultEngine: { method: 'GET', path: '/api/v1/engines/default', summary: 'The default engine and its history', tag: 'engines', scope: 'admin', responses: { 200: json(s.engineDefaultsSchema) } },
  setDefaultEngine: {
    method: 'PUT',
    path: '/api/v1/engines/default',
    summary: 'Set the default engine (running engines keep theirs)',
    tag: 'engines',
    scope: 'admin',
    request: s.setDefaultEngineRequestSchema,
    responses: { 200: json(s.engineDefaultsSchema) },
    errors: [400, 404, 409],
  },
  engineChecks: { method: 'GET', path: '/api/v1/engines/checks', summary: 'Staging check reports, newest first', tag: 'engines', scope: 'admin', responses: { 200: json(s.engineCheckListSchema) } },
  runEngineCheck: {
    method: 'POST',
    path: '/api/v1/engines/checks',
    summary: 'Check a candidate engine against the deployments',
    tag: 'engines',
    scope: 'admin',
    request: s.engineCheckRequestSchema,
    responses: { 201: json(s.engineCheckReportSchema) },
    errors: [400, 404, 409],
  },
  engineCheck: { method: 'GET', path: '/api/v1/engines/checks/{id}', summary: 'One check report', tag: 'engines', scope: 'admin', responses: { 200: json(s.engineCheckReportSchema) }, errors: [404] },
  promoteEngine: {
    method: 'POST',
    path: '/api/v1/engines/promote',
    summary: 'Make an engine the default and restart what follows it',
    tag: 'engines',
    scope: 'admin',
    request: s.promoteRequestSchema,
    responses: { 200: json(s.promoteResponseSchema) },
    errors: [400, 404, 409],
  },
  rollbackEngine: {
    method: 'POST',
    path: '/api/v1/engines/rollback',
    summary: 'Back to the previous default engine',
    tag: 'engines',
    scope: 'admin',
    responses: { 200: json(s.promoteResponseSchema) },
    errors: [409],
  },

  hardware: {
    method: 'GET',
    path: '/api/v1/hardware',
    summary: 'Hardware snapshot (refresh=1 re-detects)',
    tag: 'hardware',
    scope: 'admin',
    query: q({ refresh: z.enum(['0', '1']).optional() }),
    responses: { 200: json(s.hardwareSnapshotSchema) },
    errors: [400],
  },
  hardwareLive: { method: 'GET', path: '/api/v1/hardware/live', summary: 'Live GPU samples as SSE', tag: 'hardware', scope: 'admin', responses: { 200: sse('One GpuLiveReport per poll') } },

  keys: { method: 'GET', path: '/api/v1/keys', summary: 'API keys (never their secrets)', tag: 'keys', scope: 'admin', responses: { 200: json(s.keyListSchema) } },
  createKey: {
    method: 'POST',
    path: '/api/v1/keys',
    summary: 'Create an API key (the secret is shown once)',
    tag: 'keys',
    scope: 'admin',
    request: s.createKeyRequestSchema,
    responses: { 201: json(s.createKeyResponseSchema) },
    errors: [400],
  },
  key: {
    method: 'PATCH',
    path: '/api/v1/keys/{id}',
    summary: 'Change a key’s name or limits (null removes a limit)',
    tag: 'keys',
    scope: 'admin',
    request: s.updateKeyRequestSchema,
    responses: { 200: json(s.apiKeyInfoSchema) },
    errors: [400, 404],
  },
  revokeKey: { method: 'DELETE', path: '/api/v1/keys/{id}', summary: 'Revoke a key', tag: 'keys', scope: 'admin', responses: { 204: none('Revoked') }, errors: [404] },
  settings: { method: 'GET', path: '/api/v1/settings', summary: 'Settings (secrets shown as "(set)")', tag: 'settings', scope: 'admin', responses: { 200: json(s.settingsSchema) } },
  updateSettings: {
    method: 'PATCH',
    path: '/api/v1/settings',
    summary: 'Change settings (deep-partial)',
    tag: 'settings',
    scope: 'admin',
    request: z.looseObject({}),
    responses: { 200: json(s.settingsSchema) },
    errors: [400],
  },

  reports: {
    method: 'GET',
    path: '/api/v1/reports',
    summary: 'Operations report of a month (JSON, CSV or HTML), or its request rows (JSON lines)',
    tag: 'reports',
    scope: 'admin',
    query: q({ month: z.string().optional(), format: z.enum(['json', 'csv', 'html', 'jsonl']).optional() }),
    responses: { 200: { description: 'The report', content: { 'application/json': s.opsReportSchema, 'text/csv': null, 'text/html': null, 'application/x-ndjson': null } } },
    errors: [400, 503],
  },
  diagnostics: {
    method: 'GET',
    path: '/api/v1/diagnostics',
    summary: 'Support bundle (zip, secrets removed)',
    tag: 'reports',
    scope: 'admin',
    responses: { 200: { description: 'A zip file', content: { 'application/zip': null } } },
  },
  kitExport: {
    method: 'POST',
    path: '/api/v1/kit/export',
    summary: 'Write an offline kit to a folder',
    tag: 'kit',
    scope: 'admin',
    request: z.object({ dir: z.string().min(1).max(4096), models: z.array(z.string().min(1)).max(256).optional(), engines: z.array(z.string().min(1)).max(64).optional() }).strict(),
    responses: { 200: json(s.kitResultSchema) },
    errors: [400, 404, 409, 422],
  },
  kitImport: {
    method: 'POST',
    path: '/api/v1/kit/import',
    summary: 'Install an offline kit from a folder',
    tag: 'kit',
    scope: 'admin',
    request: z.object({ dir: z.string().min(1).max(4096) }).strict(),
    responses: { 200: json(s.kitResultSchema) },
    errors: [400, 404, 409, 422],
  },

  upstreams: {
    method: 'GET',
    path: '/api/v1/upstreams',
    summary: 'Remote OpenAI-compatible upstreams (never their keys)',
    tag: 'upstreams',
    scope: 'admin',
    responses: { 200: json(s.upstreamListSchema) },
  },
  createUpstream: {
    method: 'POST',
    path: '/api/v1/upstreams',
    summary: 'Add an upstream (its key stored encrypted)',
    tag: 'upstreams',
    scope: 'admin',
    request: upstreamInputSchema,
    responses: { 201: json(s.upstreamViewSchema) },
    errors: [400, 409],
  },
  upstream: { method: 'GET', path: '/api/v1/upstreams/{name}', summary: 'One upstream', tag: 'upstreams', scope: 'admin', responses: { 200: json(s.upstreamViewSchema) }, errors: [404] },
  deleteUpstream: { method: 'DELETE', path: '/api/v1/upstreams/{name}', summary: 'Remove an upstream', tag: 'upstreams', scope: 'admin', responses: { 204: none('Removed') }, errors: [404] },
  checkUpstream: {
    method: 'POST',
    path: '/api/v1/upstreams/{name}/check',
    summary: 'Health-check an upstream now',
    tag: 'upstreams',
    scope: 'admin',
    responses: { 200: json(s.upstreamViewSchema) },
    errors: [404],
  },

  workers: { method: 'GET', path: '/api/v1/workers', summary: 'Registered RPC workers, health-checked now', tag: 'workers', scope: 'admin', responses: { 200: json(s.workerListSchema) } },
  addWorker: {
    method: 'POST',
    path: '/api/v1/workers',
    summary: 'Register an RPC worker (`llama-orch worker` on another machine)',
    tag: 'workers',
    scope: 'admin',
    request: workerAddSchema,
    responses: { 201: json(s.workerEntrySchema) },
    errors: [400, 409],
  },
  removeWorker: {
    method: 'DELETE',
    path: '/api/v1/workers/{address}',
    summary: 'Remove a registered worker',
    tag: 'workers',
    scope: 'admin',
    responses: { 200: json(s.removeWorkerSchema) },
    errors: [404],
  },
} as const satisfies Record<string, RouteDef>;

export type RouteId = keyof typeof API;

/** The /v1 inference routes (the gateway's), by path, with the body each accepts. */
export const INFERENCE_BODIES: Record<string, z.ZodType<Record<string, unknown>>> = Object.fromEntries(
  (['chatCompletions', 'completions', 'embeddings', 'rerank', 'responses', 'messages'] as const).map((id) => [API[id].path, API[id].request as z.ZodType<Record<string, unknown>>]),
);
export const ROUTE_IDS = Object.keys(API) as RouteId[];

/** The concrete path of a route: its template with each `{param}` percent-encoded. */
export function pathOf(id: RouteId, params: Record<string, string> = {}): string {
  return API[id].path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`route ${id} needs the path parameter '${name}'`);
    return encodeURIComponent(v);
  });
}

/** A request the server matched in the table: which route, with its decoded path parameters. */
export interface RouteCall {
  id: RouteId;
  params: Record<string, string>;
}

export type RouteMatch = { kind: 'route'; id: RouteId; route: RouteDef; params: Record<string, string> } | { kind: 'method_not_allowed'; allowed: HttpMethod[] } | { kind: 'none' };

interface Compiled {
  segments: string[];
  literals: number;
  ids: RouteId[];
}

// Grouped by template, most literal segments first: `/engines/install` wins over `/engines/{id}`.
const TEMPLATES: Compiled[] = (() => {
  const byPath = new Map<string, Compiled>();
  for (const id of ROUTE_IDS) {
    const path = API[id].path;
    const c = byPath.get(path) ?? { segments: path.split('/'), literals: path.split('/').filter((x) => !x.startsWith('{')).length, ids: [] };
    c.ids.push(id);
    byPath.set(path, c);
  }
  return [...byPath.values()].sort((a, b) => b.literals - a.literals);
})();

/**
 * Which route a request is: its id and decoded path parameters; `method_not_allowed` when the path
 * is known but not with this method; `none` otherwise. `rawPath` is the URL's pathname, still
 * percent-encoded (a malformed escape in a parameter throws URIError).
 */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const parts = rawPath.split('/');
  for (const t of TEMPLATES) {
    if (t.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = t.segments.every((seg, i) => {
      const part = parts[i]!;
      if (!seg.startsWith('{')) return seg === part;
      if (part === '') return false;
      params[seg.slice(1, -1)] = decodeURIComponent(part);
      return true;
    });
    if (!ok) continue;
    const id = t.ids.find((x) => API[x].method === method || (method === 'HEAD' && API[x].method === 'GET'));
    if (!id) return { kind: 'method_not_allowed', allowed: t.ids.map((x) => API[x].method) };
    return { kind: 'route', id, route: API[id], params };
  }
  return { kind: 'none' };
}
