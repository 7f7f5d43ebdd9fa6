// Admin routes of the workers module: GET /api/v1/workers (health-checked now), POST /api/v1/workers
// ({address, statusPort?}), DELETE /api/v1/workers/:address.
import { RPC_SECURITY_WARNING, type WorkerListResponse } from '../../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import type { WorkerRegistry } from '../../workers/registry.js';
import type { RouteHandler } from '../server.js';

export function workerRoutes(registry: WorkerRegistry): RouteHandler {
  return async (req, res, _url, call) => {
    switch (call?.id) {
      case 'workers': {
        const body: WorkerListResponse = { data: await registry.check(), warning: RPC_SECURITY_WARNING, problems: registry.problems };
        return (sendJson(res, 200, body, { 'cache-control': 'no-store' }), true);
      }
      case 'addWorker': {
        // The registry validates with workerAddSchema (the same schema the route table documents).
        const entry = registry.add(parseJsonObject(await readBody(req, 16 * 1024)));
        return (sendJson(res, 201, entry), true);
      }
      case 'removeWorker': {
        const address = call.params.address!;
        if (!registry.remove(address)) throw new HttpError(404, `no worker ${address} is registered`, 'invalid_request_error', 'not_found', 'address');
        return (sendJson(res, 200, { address, removed: true }), true);
      }
      default:
        return false;
    }
  };
}
