// Admin routes of the upstreams module: GET/POST /api/v1/upstreams, GET/DELETE /api/v1/upstreams/:name
// and POST /api/v1/upstreams/:name/check (a health check now). Behind admin auth like every /api/v1
// route; adding and removing are audited by name and URL, never with the key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROUTES, type UpstreamListResponse } from '../../contract/index.js';
import { actorOf } from '../api/actor.js';
import { parseJsonObject, readBody, sendJson } from '../api/http.js';
import type { RouteHandler } from '../api/server.js';
import { HttpError } from '../util/errors.js';
import type { Upstreams } from './service.js';

const BODY_LIMIT = 64 * 1024;

export function upstreamRoutes(upstreams: Upstreams): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    if (url.pathname === ROUTES.upstreams) {
      if (method === 'GET') {
        const body: UpstreamListResponse = { data: upstreams.list(), problems: upstreams.problems };
        return sendJson(res, 200, body), true;
      }
      if (method === 'POST') {
        const input = parseJsonObject(await readBody(req, BODY_LIMIT));
        return sendJson(res, 201, upstreams.add(input, actorOf(req))), true;
      }
      return false;
    }
    const m = /^\/api\/v1\/upstreams\/([^/]+)(\/check)?$/.exec(url.pathname);
    if (!m) return false;
    const name = decodeURIComponent(m[1]!);
    const notFound = () => new HttpError(404, `upstream '${name}' not found; upstreams: ${upstreams.list().map((u) => u.name).join(', ') || 'none'}`, 'not_found_error', 'upstream_not_found', 'name');
    if (m[2] && method === 'POST') {
      const up = upstreams.get(name);
      if (!up) throw notFound();
      await upstreams.check(up);
      return sendJson(res, 200, upstreams.list().find((u) => u.name === name)), true;
    }
    if (m[2]) return false;
    if (method === 'GET') {
      const view = upstreams.list().find((u) => u.name === name);
      if (!view) throw notFound();
      return sendJson(res, 200, view), true;
    }
    if (method === 'DELETE') {
      if (!upstreams.remove(name, actorOf(req))) throw notFound();
      return res.writeHead(204).end(), true;
    }
    return false;
  };
}
