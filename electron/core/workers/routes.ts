// Admin routes of the workers module: GET /api/v1/workers (health-checked now), POST /api/v1/workers
// ({address, statusPort?}), DELETE /api/v1/workers/:address.
import { RPC_SECURITY_WARNING, ROUTES, type WorkerListResponse } from '../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../api/http.js';
import type { RouteHandler } from '../api/server.js';
import { HttpError } from '../util/errors.js';
import type { WorkerRegistry } from './registry.js';

const PREFIX = `${ROUTES.workers}/`;

export function workerRoutes(registry: WorkerRegistry): RouteHandler {
  return async (req, res, url) => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === ROUTES.workers) {
      if (method === 'GET') {
        const body: WorkerListResponse = { data: await registry.check(), warning: RPC_SECURITY_WARNING, problems: registry.problems };
        return sendJson(res, 200, body, { 'cache-control': 'no-store' }), true;
      }
      if (method === 'POST') {
        const entry = registry.add(parseJsonObject(await readBody(req, 16 * 1024)));
        return sendJson(res, 201, entry), true;
      }
      throw new HttpError(405, `method ${method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed');
    }
    if (!path.startsWith(PREFIX)) return false;
    if (method !== 'DELETE') throw new HttpError(405, `method ${method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed');
    const address = decodeURIComponent(path.slice(PREFIX.length));
    if (!registry.remove(address)) throw new HttpError(404, `no worker ${address} is registered`, 'invalid_request_error', 'not_found', 'address');
    return sendJson(res, 200, { address, removed: true }), true;
  };
}
