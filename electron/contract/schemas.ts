// Response and request schemas of the HTTP API (zod), the source of the OpenAPI document and of the
// contract tests. Small shapes are spelled out field by field and checked against their TS interfaces
// at compile time (`satisfies`-style assignments below), so the interface and the schema cannot drift;
// large nested reports (hardware, plans, operations report) name their top-level fields and allow
// more, which is what clients may rely on today.
import { z } from 'zod';
import type { CancelResponse, HealthzResponse, InstanceListResponse, OpenAiModel, OpenAiModelList, StatusResponse } from './api.js';
import { deploymentSchema } from './deployments.js';
import type { ApiErrorEnvelope } from './errors.js';
import type { InstanceInfo, LogLine } from './instances.js';
import type { ApiKeyInfo, CreateKeyResponse } from './settings.js';
import type { PullInfo, VerifyModelResponse } from './models.js';

const isoTime = z.string().describe('ISO 8601 time');
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const errorEnvelopeSchema = z.strictObject({
  error: z.strictObject({
    message: z.string(),
    type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'server_error', 'engine_error']),
    code: z.string().nullable(),
    param: z.string().nullable(),
  }),
});

export const healthzSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  problems: z.array(z.string()).optional(),
  version: z.string(),
  uptimeSeconds: z.number().int().min(0),
});

export const instancePlacementSchema = z.strictObject({
  summary: z.string(),
  contextSize: z.number().int(),
  parallel: z.number().int(),
  devices: z.array(z.strictObject({ id: z.string(), name: z.string(), gpuIndex: z.number().int().nullable(), layers: z.number().int(), totalBytes: z.number() })),
});

export const instanceInfoSchema = z.strictObject({
  id: z.string(),
  modelId: z.string(),
  modelPath: z.string(),
  enginePath: z.string(),
  state: z.enum(['starting', 'ready', 'stopping', 'stopped', 'failed']),
  reason: z.string().nullable(),
  pid: z.number().int().nullable(),
  port: z.number().int().nullable(),
  restarts: z.number().int(),
  hangs: z.number().int().optional(),
  startedAt: isoTime.nullable(),
  readyAt: isoTime.nullable(),
  argv: z.array(z.string()),
  placement: instancePlacementSchema.nullable().optional(),
});

export const instanceListSchema = z.strictObject({ data: z.array(instanceInfoSchema) });
export const statusSchema = z.strictObject({ version: z.string(), dataDir: z.string(), apiBaseUrl: z.string(), instances: z.array(instanceInfoSchema) });
export const cancelSchema = z.strictObject({ id: z.string(), state: z.enum(['cancelling', 'completed', 'cancelled', 'client_closed', 'engine_failed', 'timeout', 'rejected']) });

export const logLineSchema = z.strictObject({
  seq: z.number().int(),
  time: isoTime,
  stream: z.enum(['stdout', 'stderr', 'supervisor']),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  text: z.string(),
});
export const logTailSchema = z.strictObject({ data: z.array(logLineSchema) });
export const instanceFactsSchema = loose({ id: z.string(), facts: loose({}) });

export const openAiModelSchema = z.strictObject({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
  state: z.enum(['loaded', 'loading', 'unloaded', 'failed']).describe('llama-orch extension: whether an engine is serving it now'),
  aliases: z.array(z.string()).optional().describe('llama-orch extension: other names this deployment answers to'),
  role: z.enum(['chat', 'embeddings', 'rerank']).optional().describe('llama-orch extension: which routes it serves'),
});
export const openAiModelListSchema = z.strictObject({ object: z.literal('list'), data: z.array(openAiModelSchema) });

// ---- /v1 inference answers: the fields we promise (the engine's answer passes through, so more may come).
// Request bodies: openai.ts.
const usage = loose({ prompt_tokens: z.number().int().optional(), completion_tokens: z.number().int().optional(), total_tokens: z.number().int().optional() });
export const chatResponseSchema = loose({
  id: z.string(),
  object: z.string(),
  created: z.number(),
  model: z.string(),
  choices: z.array(loose({ index: z.number().int(), finish_reason: z.string().nullable().optional(), message: loose({ role: z.string() }) })),
  usage: usage.optional(),
});
export const completionResponseSchema = loose({
  object: z.string().optional(),
  model: z.string().optional(),
  choices: z.array(loose({ index: z.number().int().optional(), text: z.string() })),
  usage: usage.optional(),
});
export const embeddingsResponseSchema = loose({
  object: z.string().optional(),
  data: z.array(
    loose({ index: z.number().int(), embedding: z.union([z.array(z.number()), z.array(z.array(z.number())), z.string().describe('base64 of little-endian float32 (encoding_format: base64)')]) }),
  ),
  usage: usage.optional(),
});
export const rerankResponseSchema = loose({ results: z.array(loose({ index: z.number().int(), relevance_score: z.number() })) });
export const responsesResponseSchema = loose({ object: z.string().optional(), output: z.array(z.unknown()).optional() });
export const messagesResponseSchema = loose({ type: z.string().optional(), role: z.string().optional(), content: z.array(z.unknown()) });

// ---- admin API
const keyLimits = {
  models: z.array(z.string()).nullable(),
  expiresAt: isoTime.nullable(),
  rpm: z.number().int().nullable(),
  tokensPerDay: z.number().int().nullable(),
  tokensPerMonth: z.number().int().nullable(),
};
const usageCount = z.strictObject({ requests: z.number().int(), tokens: z.number().int() });
export const apiKeyInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(['inference', 'admin']),
  prefix: z.string(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  ...keyLimits,
  usage: z.strictObject({ day: z.string(), month: z.string(), today: usageCount, thisMonth: usageCount }).optional(),
});
export const keyListSchema = z.strictObject({ data: z.array(apiKeyInfoSchema) });
export const createKeyResponseSchema = z.strictObject({ key: z.string(), info: apiKeyInfoSchema });
export const createKeyRequestSchema = z.looseObject({ name: z.string(), scope: z.enum(['inference', 'admin']), ...z.object(keyLimits).partial().shape });
export const updateKeyRequestSchema = z.looseObject({ name: z.string().optional(), ...z.object(keyLimits).partial().shape });

export const settingsSchema = loose({ hub: loose({ token: z.string().nullable() }) });

export const deploymentViewSchema = deploymentSchema.extend({ saved: z.boolean(), modelPath: z.string().nullable(), projector: z.string().nullable(), instance: instanceInfoSchema.nullable() });
export const deploymentListSchema = z.strictObject({ data: z.array(deploymentViewSchema), problems: z.array(z.string()) });

const pullState = z.enum(['queued', 'running', 'verifying', 'paused', 'done', 'failed', 'cancelled']);
export const pullInfoSchema = z.strictObject({
  id: z.string(),
  repo: z.string(),
  files: z.array(z.string()),
  modelId: z.string(),
  state: pullState,
  bytes: z.number(),
  totalBytes: z.number().nullable(),
  error: z.string().nullable(),
});
export const pullListSchema = z.strictObject({ data: z.array(pullInfoSchema) });
const modelSource = loose({ kind: z.string() });
export const modelSummarySchema = loose({
  id: z.string(),
  displayName: z.string(),
  aliases: z.array(z.string()),
  architecture: z.string(),
  parameterCount: z.number(),
  quant: z.string().nullable(),
  contextLength: z.number().nullable(),
  sizeBytes: z.number(),
  diskBytes: z.number(),
  source: z.string(),
  linked: z.boolean(),
  addedAt: isoTime,
});
export const modelListSchema = z.strictObject({ data: z.array(modelSummarySchema), totalDiskBytes: z.number(), pulls: z.array(pullInfoSchema) });
export const modelManifestSchema = loose({
  schemaVersion: z.literal(1),
  id: z.string(),
  displayName: z.string(),
  aliases: z.array(z.string()),
  files: z.array(loose({})),
  source: modelSource,
  addedAt: isoTime,
  facts: loose({}),
});
export const modelDetailSchema = modelManifestSchema.extend({ diskBytes: z.number() });
export const verifyModelSchema = z.strictObject({
  id: z.string(),
  ok: z.boolean(),
  files: z.array(z.strictObject({ name: z.string(), expected: z.string(), actual: z.string().nullable(), ok: z.boolean(), error: z.string().nullable() })),
});
export const modelSearchSchema = z.strictObject({ data: z.array(loose({ repo: z.string(), files: z.array(loose({ name: z.string() })) })) });

export const engineInfoSchema = loose({
  id: z.string(),
  dir: z.string(),
  binary: z.string(),
  tag: z.string().nullable(),
  variant: z.string().nullable(),
  version: z.string().nullable(),
  inUseBy: z.array(z.string()),
});
export const engineListSchema = z.strictObject({
  data: z.array(engineInfoSchema),
  defaultTag: z.string(),
  releaseSource: z.string(),
  defaultEngine: z.string().nullable().optional(),
  commandLineEngine: z.boolean().optional(),
});
export const installEngineResponseSchema = z.strictObject({ jobId: z.string(), choice: loose({ variant: z.string() }), engine: engineInfoSchema.nullable(), alreadyInstalled: z.boolean() });
export const engineDefaultsSchema = z.strictObject({
  defaultEngine: z.string().nullable(),
  history: z.array(loose({ engine: z.string(), previous: z.string().nullable(), at: isoTime, actor: z.string() })),
});
export const engineCheckReportSchema = loose({
  schemaVersion: z.literal(1),
  id: z.string(),
  candidate: z.string(),
  current: z.string(),
  startedAt: isoTime,
  finishedAt: isoTime,
  verdict: z.enum(['pass', 'differs', 'slower', 'fails_to_load']),
  results: z.array(loose({})),
});
export const engineCheckListSchema = z.strictObject({ data: z.array(engineCheckReportSchema) });
export const promoteResponseSchema = loose({
  defaultEngine: z.string().nullable(),
  previous: z.string().nullable(),
  reportId: z.string().nullable(),
  restarted: z.array(loose({ deployment: z.string(), readyMs: z.number() })),
});

const remoteDeviceSchema = z.strictObject({
  worker: z.string(),
  id: z.string(),
  position: z.number().int(),
  workerDevices: z.number().int(),
  name: z.string(),
  kind: z.enum(['cpu', 'gpu']),
  totalBytes: z.number().nullable(),
  freeBytes: z.number().nullable(),
  usable: z.boolean(),
  reason: z.string().nullable(),
});
export const hardwareSnapshotSchema = loose({
  schemaVersion: z.literal(1),
  gpus: z.array(loose({})),
  memory: loose({ totalBytes: z.number() }),
  cpu: loose({}),
  warnings: z.array(loose({})),
  remoteDevices: z.array(remoteDeviceSchema).optional(),
});
export const planResponseSchema = loose({ plan: loose({}).nullable() });
export const opsReportSchema = loose({ month: z.string() });
export const catalogResponseSchema = z.strictObject({
  recommended: z.string().nullable(),
  models: z.array(loose({ fit: z.unknown(), reason: z.unknown() })),
  memory: z.strictObject({ kind: z.enum(['gpu', 'ram']), totalBytes: z.number().nullable() }),
});

export const upstreamViewSchema = z.strictObject({
  name: z.string(),
  baseUrl: z.string(),
  hasKey: z.boolean(),
  prefix: z.string().nullable(),
  aliases: z.record(z.string(), z.string()),
  fallback: z.string().nullable(),
  timeoutSeconds: z.number(),
  maxConcurrent: z.number(),
  healthIntervalSeconds: z.number(),
  failureThreshold: z.number(),
  openSeconds: z.number(),
  createdAt: isoTime,
  circuit: z.enum(['closed', 'open', 'half_open']),
  retryAfterSeconds: z.number().nullable(),
  models: z.array(z.string()).nullable(),
  lastCheckAt: isoTime.nullable(),
  lastError: z.string().nullable(),
  consecutiveFailures: z.number().int(),
});
const workerDeviceSchema = z.strictObject({ id: z.string(), name: z.string(), kind: z.enum(['cpu', 'gpu']), totalBytes: z.number().nullable(), freeBytes: z.number().nullable() });
export const workerEntrySchema = z.strictObject({ address: z.string(), statusPort: z.number().int(), addedAt: isoTime });
export const workerViewSchema = workerEntrySchema.extend({
  health: z.enum(['online', 'offline', 'unknown']),
  reason: z.string().nullable(),
  checkedAt: isoTime.nullable(),
  devices: z.array(workerDeviceSchema),
  clientConnected: z.boolean(),
});
export const workerListSchema = z.strictObject({ data: z.array(workerViewSchema), warning: z.string(), problems: z.array(z.string()) });
export const removeWorkerSchema = z.strictObject({ address: z.string(), removed: z.literal(true) });

export const upstreamListSchema = z.strictObject({ data: z.array(upstreamViewSchema), problems: z.array(z.string()) });
export const kitResultSchema = loose({});

// ---- admin request bodies (moved here from beside their handlers: the contract owns them)
const engineId = z.string().min(1).max(200);
export const installEngineRequestSchema = z.object({ tag: z.string().min(1).max(64).optional(), variant: z.string().min(1).max(64).optional(), wait: z.boolean().optional() });
export const setDefaultEngineRequestSchema = z.object({ engine: engineId }).strict();
export const engineCheckRequestSchema = z.object({ candidate: engineId, deployments: z.union([z.literal('all'), z.array(z.string().min(1).max(200)).min(1).max(100)]).optional() }).strict();
export const promoteRequestSchema = z.object({ engine: engineId, force: z.boolean().optional(), deployments: z.array(z.string().min(1).max(200)).min(1).max(100).optional() }).strict();
export const importModelRequestSchema = z.object({ path: z.string().min(1).max(4096), link: z.boolean().optional(), id: z.string().min(1).max(200).optional() });
export const pullModelRequestSchema = z.object({
  repo: z.string().min(3).max(300),
  file: z.string().min(1).max(1000).optional(),
  quant: z.string().min(1).max(64).optional(),
  revision: z.string().min(1).max(200).optional(),
  id: z.string().min(1).max(200).optional(),
  wait: z.boolean().optional(),
});

// Compile-time: each spelled-out schema produces its interface (a field added to one and not the
// other fails the typecheck).
type Produces<S extends z.ZodType, T> = z.output<S> extends T ? (T extends z.output<S> ? true : false) : false;
const drift: [
  Produces<typeof healthzSchema, HealthzResponse>,
  Produces<typeof instanceInfoSchema, InstanceInfo>,
  Produces<typeof instanceListSchema, InstanceListResponse>,
  Produces<typeof statusSchema, StatusResponse>,
  Produces<typeof cancelSchema, CancelResponse>,
  Produces<typeof openAiModelSchema, OpenAiModel>,
  Produces<typeof openAiModelListSchema, OpenAiModelList>,
  Produces<typeof errorEnvelopeSchema, ApiErrorEnvelope>,
  Produces<typeof logLineSchema, LogLine>,
  Produces<typeof apiKeyInfoSchema, ApiKeyInfo>,
  Produces<typeof createKeyResponseSchema, CreateKeyResponse>,
  Produces<typeof pullInfoSchema, PullInfo>,
  Produces<typeof verifyModelSchema, VerifyModelResponse>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true];
void drift;
