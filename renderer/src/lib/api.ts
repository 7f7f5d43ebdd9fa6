// The one typed client the renderer uses to talk to the core: HTTP for requests, SSE for events.
// In the desktop app the preload supplies base URL and admin token; in a browser the page's own
// origin and the session cookie (set by the login URL) are used.
import type { ApiErrorEnvelope, CoreEvent, DesktopApi, HealthzResponse, InstanceListResponse, OpenAiModelList, StatusResponse } from '../../../electron/contract/index.js';
import { ROUTES } from '../../../electron/contract/index.js';

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

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const { baseUrl, adminToken } = await connect();
  const headers = new Headers(init.headers);
  if (adminToken) headers.set('authorization', `Bearer ${adminToken}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(baseUrl + path, { ...init, headers, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorEnvelope | null;
    throw new ApiError(res.status, body?.error.message ?? `${res.status} ${res.statusText}`, body?.error.code ?? null);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Subscribe to an SSE route; returns an unsubscribe function. Reconnects with a short delay. */
function subscribe<T>(path: string, onMessage: (msg: T) => void, eventName = 'message'): () => void {
  let closed = false;
  let source: EventSource | null = null;
  void connect().then(({ baseUrl, adminToken }) => {
    if (closed) return;
    // EventSource cannot send headers: the desktop app passes the token as a query parameter
    // only for SSE; the browser uses the session cookie.
    const url = new URL(baseUrl + path);
    if (adminToken) url.searchParams.set('access_token', adminToken);
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener(eventName, (e) => onMessage(JSON.parse((e as MessageEvent<string>).data) as T));
  });
  return () => {
    closed = true;
    source?.close();
  };
}

export const api = {
  healthz: () => request<HealthzResponse>(ROUTES.healthz),
  status: () => request<StatusResponse>(ROUTES.status),
  models: () => request<OpenAiModelList>(ROUTES.openaiModels),
  instances: () => request<InstanceListResponse>(ROUTES.instances),
  onEvent: (fn: (ev: CoreEvent) => void) => subscribe<CoreEvent>(ROUTES.events, fn),
};
