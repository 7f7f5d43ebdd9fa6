// The local HTTP server: one surface for the UI, office tools and tests. Every request passes the
// Host and CORS checks, then goes to the OpenAI routes (gateway), the admin API (admin auth),
// health, metrics, login, or the built UI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_DOC_VERSION, API_HEADER, API_PREFIXES, deprecationHeaders, matchRoute, openApiDocument, type HealthzResponse, type RouteCall } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';

export type { RouteCall };
import { setActor } from './actor.js';
import type { AccessPolicy } from './access.js';
import { ADMIN_PREFIX, deleteInstance, getStatus, listInstances, streamEvents, streamLogs, type AdminDeps } from './admin.js';
import { SESSION_COOKIE, type AdminAuth } from './auth.js';
import type { Gateway } from './gateway.js';
import { sendError, sendJson } from '../http/http.js';
import type { GatewayMetrics } from './metrics.js';
import { toHttpError } from './deployment-router.js';
import { allowsModel } from './key-policy.js';
import { getModel, listModels, type ModelRouter } from './openai.js';
import type { Canceller, RequestRegistry } from './requests.js';
import { serveStatic } from '../http/static.js';

/**
 * An admin route module: answers the route ids it serves and returns false for the others. `call` is
 * null for a path outside the table (a module whose routes are not declared there yet).
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> | boolean;

export interface ApiServerDeps extends AdminDeps {
  router: ModelRouter;
  gateway: Gateway;
  access: AccessPolicy;
  auth: AdminAuth;
  metrics: GatewayMetrics;
  requests: RequestRegistry;
  rendererDir: string;
  version: string;
  /** Admin routes of other modules (keys, settings, hardware, engines, models, plans). */
  extraRoutes?: RouteHandler[];
  /** What makes the core degraded right now (health), in words for a person. */
  problems?: () => string[];
  /** The audit log: every admin action that changes something (never request bodies). */
  audit?: (action: string, actor: string, detail: Record<string, unknown>) => void;
}

export function createApiServer(deps: ApiServerDeps): Server {
  const startedAt = Date.now();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(API_HEADER, API_DOC_VERSION);
    deps.access.checkHost(req);
    if (deps.access.applyCors(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    // Routes decode their path segments; a malformed escape (`/%zz`) is the client's error, said once here.
    try {
      decodeURIComponent(path);
    } catch {
      throw new HttpError(400, `the URL path is not valid percent-encoding: ${path.slice(0, 200)}`, 'invalid_request_error', 'invalid_url');
    }
    const method = req.method ?? 'GET';
    const match = matchRoute(method, path);
    if (match.kind === 'method_not_allowed') throw methodNotAllowed(method, path, match.allowed);
    if (match.kind === 'none') return unmatched(req, res, url, method);
    const call: RouteCall = { id: match.id, params: match.params };
    for (const [name, value] of Object.entries(deprecationHeaders(match.route))) res.setHeader(name, value);
    if (match.route.scope === 'admin') return handleAdmin(req, res, url, call);
    switch (call.id) {
      case 'chatCompletions':
      case 'completions':
      case 'embeddings':
      case 'rerank':
      case 'responses':
      case 'messages':
        return deps.gateway.handle(req, res, path);
      case 'openaiModels': {
        // A key with an allow-list sees only the deployments it may use.
        const caller = deps.access.forInference(req);
        return listModels(res, deps.router, caller.kind === 'key' ? (m) => allowsModel(caller.limits, m) : undefined);
      }
      case 'openaiModel': {
        const caller = deps.access.forInference(req);
        const model = deps.router.model(call.params.id!);
        if (caller.kind === 'key' && !allowsModel(caller.limits, model))
          throw new HttpError(404, `model '${model.id}' not found among the models this API key may use`, 'not_found_error', 'model_not_found', 'model');
        return getModel(res, model);
      }
      case 'healthz': {
        const problems = deps.problems?.() ?? [];
        const body: HealthzResponse = {
          status: problems.length ? 'degraded' : 'ok',
          ...(problems.length ? { problems } : {}),
          version: deps.version,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        };
        return sendJson(res, 200, body);
      }
      case 'openapi':
        return sendJson(res, 200, openApiDocument(), { 'cache-control': 'no-store' });
      case 'metrics': {
        deps.access.forInference(req);
        const text = await deps.metrics.render();
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        return void res.end(text);
      }
      case 'login':
        return login(res, deps.auth, url.searchParams.get('token') ?? '');
      case 'requestCancel': {
        // Any caller of the inference API; a key may only cancel what it started (403 otherwise).
        const caller = deps.access.forInference(req);
        return cancelRequest(res, deps.requests, call.params.id!, { admin: caller.kind === 'admin' || (caller.kind === 'key' && caller.scope === 'admin'), keyId: caller.keyId });
      }
    }
    throw routeNotFound(method, path);
  }

  /** A path outside the route table: an unknown API route (404), or a file of the built UI. */
  async function unmatched(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const path = url.pathname;
    if (path.startsWith(`${API_PREFIXES.openai}/`)) throw routeNotFound(method, path);
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
      // Admin first, so the admin API's shape is not told to strangers; then route modules not yet in
      // the table (their own path checks) get their chance.
      const call = admitAdmin(req, res, method, path);
      for (const route of deps.extraRoutes ?? []) if (await route(req, res, url, call)) return;
      throw routeNotFound(method, path);
    }
    if (method === 'GET' || method === 'HEAD') return serveStatic(res, deps.rendererDir, path);
    throw routeNotFound(method, path);
  }

  function admitAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string): RouteCall | null {
    const caller = deps.access.forAdmin(req);
    const actor = caller.kind === 'key' ? `key:${caller.keyId}` : 'admin';
    setActor(req, actor);
    if (method !== 'GET' && method !== 'HEAD' && deps.audit) {
      res.once('finish', () => deps.audit!(`${method} ${path}`, actor, { status: res.statusCode }));
    }
    return null;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall): Promise<void> {
    const method = req.method ?? 'GET';
    admitAdmin(req, res, method, url.pathname);
    switch (call.id) {
      case 'status':
        return getStatus(res, deps);
      case 'events':
        return streamEvents(req, res, deps);
      case 'instances':
        return listInstances(res, deps);
      case 'instanceLogs':
        return streamLogs(req, res, deps, call.params.id!, url.searchParams);
      case 'instance':
        return deleteInstance(res, deps, call.params.id!);
    }
    for (const route of deps.extraRoutes ?? []) if (await route(req, res, url, call)) return;
    // Declared in the table but served by a module this core was built without.
    throw routeNotFound(method, url.pathname);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, toHttpError(err)));
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Requests node:http's parser refuses (bad framing, headers too large) get the same envelope as
 * every other error instead of Node's bare `400` with no body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const [status, text] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
  const body = JSON.stringify(new HttpError(status, `the request could not be read as HTTP/1.1 (${err.code ?? 'parse error'})`, 'invalid_request_error', 'bad_http').toEnvelope());
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function cancelRequest(res: ServerResponse, requests: RequestRegistry, id: string, by: Canceller): void {
  const r = requests.cancel(id, by);
  if (!r) throw new HttpError(404, `request '${id}' not found (it may have ended long ago)`, 'not_found_error', 'request_not_found', 'id');
  sendJson(res, 200, r);
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

function methodNotAllowed(method: string, path: string, allowed: string[]): HttpError {
  return new HttpError(405, `method ${method} is not allowed on ${path}; use ${allowed.join(' or ')}`, 'invalid_request_error', 'method_not_allowed', null, { allow: allowed.join(', ') });
}

function routeNotFound(method: string, path: string): HttpError {
  return new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', 'route_not_found');
}
