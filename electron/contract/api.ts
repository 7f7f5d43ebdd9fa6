// Routes of the local HTTP API and their response bodies. The renderer, the CLI and tests use these
// names; no route string is written anywhere else.
import type { InstanceInfo } from './instances.js';

export const ROUTES = {
  healthz: '/healthz',
  metrics: '/metrics',
  openaiModels: '/v1/models',
  openaiModel: (id: string) => `/v1/models/${encodeURIComponent(id)}`,
  chatCompletions: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  responses: '/v1/responses',
  messages: '/v1/messages',
  rerank: '/v1/rerank',
  status: '/api/v1/status',
  instances: '/api/v1/instances',
  instance: (id: string) => `/api/v1/instances/${encodeURIComponent(id)}`,
  instanceLogs: (id: string) => `/api/v1/instances/${encodeURIComponent(id)}/logs`,
  events: '/api/v1/events',
  hardware: '/api/v1/hardware',
  engines: '/api/v1/engines',
  engineImport: '/api/v1/engines/import',
  models: '/api/v1/models',
  plans: '/api/v1/plans',
  login: '/auth/login',
  keys: '/api/v1/keys',
  key: (id: string) => `/api/v1/keys/${encodeURIComponent(id)}`,
  settings: '/api/v1/settings',
  deployments: '/api/v1/deployments',
  deployment: (name: string) => `/api/v1/deployments/${encodeURIComponent(name)}`,
  requestCancel: (id: string) => `/api/v1/requests/${encodeURIComponent(id)}/cancel`,
  reports: '/api/v1/reports',
  upstreams: '/api/v1/upstreams',
  upstream: (name: string) => `/api/v1/upstreams/${encodeURIComponent(name)}`,
  upstreamCheck: (name: string) => `/api/v1/upstreams/${encodeURIComponent(name)}/check`,
  workers: '/api/v1/workers',
  worker: (address: string) => `/api/v1/workers/${encodeURIComponent(address)}`,
} as const;

export interface HealthzResponse {
  /** `degraded`: serving, but something needs attention (see `problems`), e.g. logs failing to write on a full disk. */
  status: 'ok' | 'degraded';
  /** What is wrong, in words for a person; absent when status is ok. */
  problems?: string[];
  version: string;
  uptimeSeconds: number;
}

/** One entry of GET /v1/models (OpenAI shape plus our state). */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** llama-orch extension: whether an engine is serving it now. */
  state: 'loaded' | 'loading' | 'unloaded' | 'failed';
  /** llama-orch extension: other names this deployment answers to. */
  aliases?: string[];
  /** llama-orch extension: which routes it serves (chat/completions, embeddings or rerank). */
  role?: 'chat' | 'embeddings' | 'rerank';
}

export interface OpenAiModelList {
  object: 'list';
  data: OpenAiModel[];
}

export interface StatusResponse {
  version: string;
  dataDir: string;
  apiBaseUrl: string;
  instances: InstanceInfo[];
}

export interface InstanceListResponse {
  data: InstanceInfo[];
}

export interface CancelResponse {
  id: string;
  /** `cancelling` when the request was running; how it ended when it had already ended. */
  state: 'cancelling' | 'completed' | 'cancelled' | 'client_closed' | 'engine_failed' | 'timeout' | 'rejected';
}

/** Header carrying the reproducibility receipt of an inference response (JSON). */
export const RECEIPT_HEADER = 'x-llama-orch-receipt';

export interface Receipt {
  id: string;
  model: string;
  modelSha256: string | null;
  engine: string;
  engineVersion: string | null;
  slots: number;
  reproducible: boolean;
  sampling: Record<string, unknown>;
  /** Set when a remote upstream answered: its name and the model id it was asked for. */
  upstream?: { name: string; model: string };
}
