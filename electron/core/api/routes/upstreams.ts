// Admin routes of the upstreams module: GET/POST /api/v1/upstreams, GET/DELETE /api/v1/upstreams/:name
// and POST /api/v1/upstreams/:name/check (a health check now). Behind admin auth like every /api/v1
// route; adding and removing are audited by name and URL, never with the key.
import type { UpstreamListResponse } from '../../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import type { Upstreams } from '../../upstreams/service.js';
import { HttpError } from '../../util/errors.js';
import { actorOf } from '../actor.js';
import type { RouteHandler } from '../server.js';

const BODY_LIMIT = 64 * 1024;

export function upstreamRoutes(upstreams: Upstreams): RouteHandler {
  return async (req, res, _url, call) => {
    const name = call?.params.name ?? '';
    const notFound = () =>
      new HttpError(
        404,
        `upstream '${name}' not found; upstreams: ${
          upstreams
            .list()
            .map((u) => u.name)
            .join(', ') || 'none'
        }`,
        'not_found_error',
        'upstream_not_found',
        'name',
      );
    switch (call?.id) {
      case 'upstreams': {
        const body: UpstreamListResponse = { data: upstreams.list(), problems: upstreams.problems };
        return (sendJson(res, 200, body), true);
      }
      case 'createUpstream': {
        // The service validates with upstreamInputSchema (the same schema the route table documents).
        const input = parseJsonObject(await readBody(req, BODY_LIMIT));
        return (sendJson(res, 201, upstreams.add(input, actorOf(req))), true);
      }
      case 'upstream': {
        const view = upstreams.list().find((u) => u.name === name);
        if (!view) throw notFound();
        return (sendJson(res, 200, view), true);
      }
      case 'checkUpstream': {
        const up = upstreams.get(name);
        if (!up) throw notFound();
        await upstreams.check(up);
        return (
          sendJson(
            res,
            200,
            upstreams.list().find((u) => u.name === name),
          ),
          true
        );
      }
      case 'deleteUpstream':
        if (!upstreams.remove(name, actorOf(req))) throw notFound();
        return (res.writeHead(204).end(), true);
      default:
        return false;
    }
  };
}
