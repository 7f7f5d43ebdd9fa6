// Admin route of the supervisor that the base admin API does not serve: the facts an engine reported
// (GET /api/v1/instances/:id/facts). Starting instances belongs to the deployments module
// (api/deployment-routes.ts). Mounted through the core's `extraRoutes`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceFactsResponse, RouteCall } from '../../../contract/index.js';
import { sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import type { Supervisor } from '../../supervisor/supervisor.js';

export function instanceRoutes(deps: { supervisor: Supervisor }): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (_req, res, _url, call) => {
    if (call?.id === 'instanceFacts') {
      const id = call.params.id!;
      const inst = deps.supervisor.get(id);
      if (!inst) throw new HttpError(404, `instance '${id}' not found`, 'not_found_error', 'instance_not_found', 'id');
      const body: InstanceFactsResponse = { id, facts: inst.facts() };
      sendJson(res, 200, body);
      return true;
    }
    return false;
  };
}
