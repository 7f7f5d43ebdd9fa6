// The local HTTP server: one surface for the UI, office tools and tests. Dispatches by path to the
// OpenAI routes, the admin API (admin auth), health, metrics and the built UI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ROUTES, type HealthzResponse } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { ADMIN_PREFIX, deleteInstance, getStatus, listInstances, streamEvents, streamLogs, type AdminDeps } from './admin.js';
import { AdminAuth, SESSION_COOKIE } from './auth.js';
import { DEFAULT_BODY_LIMIT, sendError, sendJson } from './http.js';
import { forwardInference, listModels, type InferenceObserver, type ModelRouter } from './openai.js';
import { serveStatic } from './static.js';

export interface ApiServerDeps extends AdminDeps {
  router: ModelRouter;
  auth: AdminAuth;
  rendererDir: string;
  version: string;
  bodyLimit?: number;
  observer?: InferenceObserver;
  /** Extra admin routes from other modules (hardware, engines, models, plans); return false if not handled. */
  extraRoutes?: ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean)[];
}

const INFERENCE_PATHS: Record<string, string> = {
  [ROUTES.chatCompletions]: '/v1/chat/completions',
  [ROUTES.completions]: '/v1/completions',
  [ROUTES.embeddings]: '/v1/embeddings',
  [ROUTES.responses]: '/v1/responses',
  [ROUTES.messages]: '/v1/messages',
};

export function createApiServer(deps: ApiServerDeps): Server {
  const startedAt = Date.now();
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === ROUTES.healthz) {
      const body: HealthzResponse = { status: 'ok', version: deps.version, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
      return sendJson(res, 200, body);
    }
    if (path === ROUTES.openaiModels && method === 'GET') return listModels(res, deps.router);
    const upstreamPath = INFERENCE_PATHS[path];
    if (upstreamPath) {
      if (method !== 'POST') throw methodNotAllowed(method, path);
      return forwardInference(req, res, deps.router, upstreamPath, bodyLimit, deps.observer);
    }
    if (path.startsWith('/v1/')) throw new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', 'route_not_found');

    if (path === ROUTES.login) return login(res, deps.auth, url.searchParams.get('token') ?? '');
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
      if (!deps.auth.isAdmin(req)) throw new HttpError(401, 'admin API: send the admin token as `Authorization: Bearer <token>` or open the login URL printed by `llama-orch serve`', 'authentication_error', 'unauthorized');
      return handleAdmin(req, res, url, method);
    }
    if (method === 'GET' || method === 'HEAD') return serveStatic(res, deps.rendererDir, path);
    throw new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', 'route_not_found');
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const path = url.pathname;
    if (path === ROUTES.status && method === 'GET') return getStatus(res, deps);
    if (path === ROUTES.events && method === 'GET') return streamEvents(req, res, deps);
    if (path === ROUTES.instances && method === 'GET') return listInstances(res, deps);
    const m = /^\/api\/v1\/instances\/([^/]+)(\/logs)?$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1] ?? '');
      if (m[2] && method === 'GET') return streamLogs(req, res, deps, id, url.searchParams);
      if (!m[2] && method === 'DELETE') return deleteInstance(res, deps, id);
    }
    for (const route of deps.extraRoutes ?? []) if (await route(req, res, url)) return;
    throw new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', 'route_not_found');
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });
}

function login(res: ServerResponse, auth: AdminAuth, token: string): void {
  const session = auth.login(token);
  if (!session) throw new HttpError(401, 'this login link is invalid or was already used; run `llama-orch serve` again or ask for a new link', 'authentication_error', 'invalid_login_token');
  res.writeHead(302, {
    location: '/',
    'set-cookie': `${SESSION_COOKIE}=${encodeURIComponent(session)}; HttpOnly; SameSite=Strict; Path=/`,
    'cache-control': 'no-store',
  });
  res.end();
}

function methodNotAllowed(method: string, path: string): HttpError {
  return new HttpError(405, `method ${method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed');
}
