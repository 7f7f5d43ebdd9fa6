// The one typed client the renderer uses to talk to the core: HTTP for requests, SSE for events.
// In the desktop app the preload supplies base URL and admin token; in a browser the page's own
// origin and the session cookie (set by the login URL) are used.
import type {
  EngineCheckReport,
  EngineDefaultsResponse,
  PromoteResponse,
  ApiErrorEnvelope,
  DeploymentInput,
  DeploymentListResponse,
  DeploymentPatch,
  DeploymentView,
  ApiKeyInfo,
  CancelResponse,
  CoreEvent,
  CreateKeyRequest,
  CreateKeyResponse,
  UpdateKeyRequest,
  DesktopApi,
  EngineInfo,
  EngineListResponse,
  GpuLiveReport,
  HardwareResponse,
  WorkerEntry,
  WorkerListResponse,
  HealthzResponse,
  ImportModelRequest,
  InstallEngineRequest,
  KitFolderPurpose,
  InstallEngineResponse,
  InstanceFactsResponse,
  InstanceInfo,
  InstanceListResponse,
  LogLine,
  ModelDetailResponse,
  ModelListResponse,
  ModelManifest,
  ModelSearchResponse,
  OpenAiModelList,
  PlanRequest,
  PlanResponse,
  PullInfo,
  PullModelRequest,
  Settings,
  SettingsPatch,
  StartInstanceRequest,
  StatusResponse,
  OpsReport,
  UpstreamInput,
  UpstreamListResponse,
  UpstreamView,
} from '../../../electron/contract/index.js';
import {
  CATALOG_ROUTE,
  ENGINE_ROUTES,
  ENGINE_UPGRADE_ROUTES,
  HARDWARE_ROUTES,
  KIT_ROUTES,
  MODEL_ROUTES,
  ROUTES,
  type CatalogResponse,
  type KitExportResult,
  type KitImportResult,
} from '../../../electron/contract/index.js';
import type { PlacementOverrides } from '../../../electron/contract/placement.js';
import { SseParser } from './sse.js';

declare global {
  interface Window {
    llamaOrch?: DesktopApi;
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

interface Connection {
  baseUrl: string;
  adminToken: string | null;
}

let connection: Promise<Connection> | null = null;

function connect(): Promise<Connection> {
  connection ??= window.llamaOrch ? window.llamaOrch.connection() : Promise.resolve({ baseUrl: window.location.origin, adminToken: null });
  return connection;
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const { baseUrl, adminToken } = await connect();
  const headers = new Headers(init.headers);
  if (adminToken) headers.set('authorization', `Bearer ${adminToken}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(baseUrl + path, { ...init, headers, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorEnvelope | null;
    throw new ApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.code ?? null, body?.error?.param ?? null);
  }
  return res;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * POST a file as the raw body with upload progress (fetch has none; XMLHttpRequest does). Errors come
 * back as ApiError from the core's envelope, like every other call.
 */
async function upload<T>(path: string, file: Blob, onProgress: (sent: number, total: number) => void): Promise<T> {
  const { baseUrl, adminToken } = await connect();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', baseUrl + path);
    if (adminToken) xhr.setRequestHeader('authorization', `Bearer ${adminToken}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'the upload was cut off (is the core still running?)', null));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status line is all there is to say
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      const e = (body as ApiErrorEnvelope | null)?.error;
      reject(new ApiError(xhr.status, e?.message ?? `${xhr.status} ${xhr.statusText}`, e?.code ?? null, e?.param ?? null));
    };
    xhr.send(file);
  });
}

const post = <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** Subscribe to an SSE route; returns an unsubscribe function. EventSource reconnects by itself. */
function subscribe<T>(path: string, onMessage: (msg: T) => void, eventName = 'message', onOpen?: () => void): () => void {
  let closed = false;
  let source: EventSource | null = null;
  void connect().then(({ baseUrl, adminToken }) => {
    if (closed) return;
    // EventSource cannot send headers: the desktop app passes the token as a query parameter
    // only for SSE; the browser uses the session cookie.
    const url = new URL(baseUrl + path);
    if (adminToken) url.searchParams.set('access_token', adminToken);
    source = new EventSource(url, { withCredentials: true });
    if (onOpen) source.addEventListener('open', onOpen);
    source.addEventListener(eventName, (e) => onMessage(JSON.parse((e as MessageEvent<string>).data) as T));
  });
  return () => {
    closed = true;
    source?.close();
  };
}

// One shared event stream for every feature (each feature registers its own listener).
const eventListeners = new Set<(ev: CoreEvent) => void>();
let closeEvents: (() => void) | null = null;

function onEvent(fn: (ev: CoreEvent) => void): () => void {
  eventListeners.add(fn);
  closeEvents ??= subscribe<CoreEvent>(ROUTES.events, (ev) => {
    for (const l of eventListeners) l(ev);
  });
  return () => {
    eventListeners.delete(fn);
    if (eventListeners.size === 0) {
      closeEvents?.();
      closeEvents = null;
    }
  };
}

/** A chat request body (OpenAI shape, the fields the UI sets). */
export interface ChatRequest {
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  /** llama.cpp extension: do not stop at the end-of-text token. */
  ignore_eos?: boolean;
}

export interface ChatStreamHandlers {
  /** The request id (for cancel) as soon as the response headers arrive. */
  onStart(requestId: string | null): void;
  onToken(text: string): void;
  onUsage(completionTokens: number): void;
}

export interface ChatStreamResult {
  /** How the stream ended: completed, or the error code of its last event (`cancelled`, …). */
  end: 'completed' | 'aborted' | string;
  error: string | null;
}

/** POST /v1/chat/completions with stream: true, calling back per delta. */
async function chatStream(body: ChatRequest, handlers: ChatStreamHandlers, signal: AbortSignal): Promise<ChatStreamResult> {
  let res: Response;
  try {
    res = await send(ROUTES.chatCompletions, { method: 'POST', body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }), signal });
  } catch (err) {
    if (signal.aborted) return { end: 'aborted', error: null };
    throw err;
  }
  handlers.onStart(res.headers.get('x-request-id'));
  const parser = new SseParser();
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const ev of parser.push(value)) {
        if (ev.data === '[DONE]') return { end: 'completed', error: null };
        const msg = JSON.parse(ev.data) as { choices?: { delta?: { content?: string | null } }[]; usage?: { completion_tokens?: number }; error?: { code?: string; message?: string } };
        if (msg.error) return { end: msg.error.code ?? 'error', error: msg.error.message ?? 'the stream ended with an error' };
        const text = msg.choices?.[0]?.delta?.content;
        if (text) handlers.onToken(text);
        if (msg.usage?.completion_tokens) handlers.onUsage(msg.usage.completion_tokens);
      }
    }
  } catch (err) {
    if (signal.aborted) return { end: 'aborted', error: null };
    throw err;
  }
  return { end: 'completed', error: null };
}

export const api = {
  healthz: () => request<HealthzResponse>(ROUTES.healthz),
  report: (month: string) => request<OpsReport>(`${ROUTES.reports}?month=${encodeURIComponent(month)}&format=json`),
  /** The report as a file (CSV, or the printable HTML page). */
  reportFile: async (month: string, format: 'csv' | 'html') => (await send(`${ROUTES.reports}?month=${encodeURIComponent(month)}&format=${format}`)).blob(),
  status: () => request<StatusResponse>(ROUTES.status),
  onEvent,

  // hardware and engines
  hardware: (refresh = false) => request<HardwareResponse>(ROUTES.hardware + (refresh ? '?refresh=1' : '')),
  workers: () => request<WorkerListResponse>(ROUTES.workers),
  addWorker: (address: string) => post<WorkerEntry>(ROUTES.workers, { address }),
  removeWorker: (address: string) => request<void>(ROUTES.worker(address), { method: 'DELETE' }),
  onHardwareLive: (fn: (r: GpuLiveReport) => void) => subscribe<GpuLiveReport>(HARDWARE_ROUTES.live, fn),
  engines: () => request<EngineListResponse>(ENGINE_ROUTES.engines),
  installEngine: (body: InstallEngineRequest) => post<InstallEngineResponse>(ENGINE_ROUTES.install, body),
  /** Upload an engine archive (.zip / .tar.gz) and import it: verified, unpacked, self-tested. */
  importEngineArchive: (file: File, onProgress: (sent: number, total: number) => void) => upload<EngineInfo>(`${ENGINE_ROUTES.import}?name=${encodeURIComponent(file.name)}`, file, onProgress),
  removeEngine: (id: string) => request<void>(ENGINE_ROUTES.engine(id), { method: 'DELETE' }),
  engineDefaults: () => request<EngineDefaultsResponse>(ENGINE_UPGRADE_ROUTES.defaultEngine),
  setDefaultEngine: (engine: string) => request<EngineDefaultsResponse>(ENGINE_UPGRADE_ROUTES.defaultEngine, { method: 'PUT', body: JSON.stringify({ engine }) }),
  engineChecks: () => request<{ data: EngineCheckReport[] }>(ENGINE_UPGRADE_ROUTES.checks),
  checkEngine: (candidate: string) => post<EngineCheckReport>(ENGINE_UPGRADE_ROUTES.checks, { candidate, deployments: 'all' }),
  promoteEngine: (engine: string, force = false) => post<PromoteResponse>(ENGINE_UPGRADE_ROUTES.promote, { engine, force }),
  rollbackEngine: () => post<PromoteResponse>(ENGINE_UPGRADE_ROUTES.rollback, {}),
  exportKit: (dir: string) => post<KitExportResult>(KIT_ROUTES.export, { dir }),
  importKit: (dir: string) => post<KitImportResult>(KIT_ROUTES.import, { dir }),
  catalog: () => request<CatalogResponse>(CATALOG_ROUTE),

  // instances
  instances: () => request<InstanceListResponse>(ROUTES.instances),
  startInstance: (body: StartInstanceRequest & PlacementOverrides) => post<InstanceInfo>(ROUTES.instances, body),
  stopInstance: (id: string) => request<void>(ROUTES.instance(id), { method: 'DELETE' }),
  // deployments: saved "how this model runs here"
  deployments: () => request<DeploymentListResponse>(ROUTES.deployments),
  createDeployment: (body: DeploymentInput) => post<DeploymentView>(ROUTES.deployments, body),
  updateDeployment: (name: string, patch: DeploymentPatch) => request<DeploymentView>(ROUTES.deployment(name), { method: 'PATCH', body: JSON.stringify(patch) }),
  loadDeployment: (name: string) => post<InstanceInfo>(ROUTES.loadDeployment(name)),
  instanceFacts: (id: string) => request<InstanceFactsResponse>(ENGINE_ROUTES.instanceFacts(id)),
  onLogs: (id: string, tail: number, fn: (line: LogLine) => void, onOpen?: () => void) => subscribe<LogLine>(`${ROUTES.instanceLogs(id)}?tail=${tail}`, fn, 'log', onOpen),

  // model library
  models: () => request<ModelListResponse>(MODEL_ROUTES.list),
  model: (id: string) => request<ModelDetailResponse>(MODEL_ROUTES.model(id)),
  importModel: (body: ImportModelRequest) => post<ModelManifest>(MODEL_ROUTES.import, body),
  deleteModel: (id: string) => request<void>(MODEL_ROUTES.model(id), { method: 'DELETE' }),
  pullModel: (body: PullModelRequest) => post<PullInfo>(MODEL_ROUTES.pull, body),
  cancelPull: (id: string) => post<PullInfo>(MODEL_ROUTES.cancelPull(id)),
  pausePull: (id: string) => post<PullInfo>(MODEL_ROUTES.pausePull(id)),
  resumePull: (id: string) => post<PullInfo>(MODEL_ROUTES.resumePull(id)),
  searchHub: (q: string) => request<ModelSearchResponse>(`${MODEL_ROUTES.search}?q=${encodeURIComponent(q)}&limit=20`),
  plan: (body: PlanRequest) => post<PlanResponse>(ROUTES.plans, body),

  // inference
  servedModels: () => request<OpenAiModelList>(ROUTES.openaiModels),
  chatStream,
  cancelRequest: (id: string) => post<CancelResponse>(ROUTES.requestCancel(id)),

  // settings and keys
  settings: () => request<Settings>(ROUTES.settings),
  updateSettings: (patch: SettingsPatch) => request<Settings>(ROUTES.settings, { method: 'PATCH', body: JSON.stringify(patch) }),
  keys: () => request<{ data: ApiKeyInfo[] }>(ROUTES.keys),
  createKey: (body: CreateKeyRequest) => post<CreateKeyResponse>(ROUTES.keys, body),
  updateKey: (id: string, patch: UpdateKeyRequest) => request<ApiKeyInfo>(ROUTES.key(id), { method: 'PATCH', body: JSON.stringify(patch) }),
  revokeKey: (id: string) => request<void>(ROUTES.key(id), { method: 'DELETE' }),
  // remote upstreams (vLLM, TGI, another llama-orch)
  upstreams: () => request<UpstreamListResponse>(ROUTES.upstreams),
  addUpstream: (body: UpstreamInput) => post<UpstreamView>(ROUTES.upstreams, body),
  removeUpstream: (name: string) => request<void>(ROUTES.upstream(name), { method: 'DELETE' }),

  // desktop-only helpers (absent in a browser)
  pickModelFiles: (): Promise<string[]> | null => window.llamaOrch?.pickModelFiles() ?? null,
  /** The desktop app's folder dialog for a kit; null in a browser (the folder is typed instead). */
  pickKitFolder: (purpose: KitFolderPurpose): Promise<string | null> => window.llamaOrch?.pickKitFolder(purpose) ?? Promise.resolve(null),
  canPickFolders: (): boolean => typeof window.llamaOrch?.pickKitFolder === 'function',
  /** Path on disk of a dropped file in the desktop app; null in a browser (it never tells). */
  pathForFile: (file: File): string | null => window.llamaOrch?.pathForFile(file) || null,
  /** The month's report as a PDF through Electron's printToPDF, saved where the user picks; null in a browser. */
  saveReportPdf: (month: string) => window.llamaOrch?.saveReportPdf(month) ?? null,
};

/** A message for people from any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when the route does not exist on this core (a module not built yet). */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && err.code === 'route_not_found';
}
