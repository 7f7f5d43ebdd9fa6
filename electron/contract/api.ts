// Names of the local HTTP API's routes for the renderer, the CLI and tests, built from the route table
// (routes.ts), and the response bodies' interfaces.
import type { InstanceInfo } from './instances.js';
import { API, pathOf } from './routes.js';

export const ROUTES = {
  healthz: API.healthz.path,
  metrics: API.metrics.path,
  openapi: API.openapi.path,
  openaiModels: API.openaiModels.path,
  openaiModel: (id: string) => pathOf('openaiModel', { id }),
  chatCompletions: API.chatCompletions.path,
  completions: API.completions.path,
  embeddings: API.embeddings.path,
  responses: API.responses.path,
  messages: API.messages.path,
  rerank: API.rerank.path,
  status: API.status.path,
  instances: API.instances.path,
  instance: (id: string) => pathOf('instance', { id }),
  instanceLogs: (id: string) => pathOf('instanceLogs', { id }),
  events: API.events.path,
  hardware: API.hardware.path,
  engines: API.engines.path,
  engineImport: API.importEngine.path,
  models: API.models.path,
  plans: API.plans.path,
  login: API.login.path,
  keys: API.keys.path,
  key: (id: string) => pathOf('key', { id }),
  settings: API.settings.path,
  deployments: API.deployments.path,
  deployment: (name: string) => pathOf('deployment', { name }),
  loadDeployment: (name: string) => pathOf('loadDeployment', { name }),
  unloadDeployment: (name: string) => pathOf('unloadDeployment', { name }),
  requestCancel: (id: string) => pathOf('requestCancel', { id }),
  reports: API.reports.path,
  upstreams: API.upstreams.path,
  upstream: (name: string) => pathOf('upstream', { name }),
  upstreamCheck: (name: string) => pathOf('checkUpstream', { name }),
  workers: API.workers.path,
  worker: (address: string) => pathOf('removeWorker', { address }),
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
