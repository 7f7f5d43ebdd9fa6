// Admin API of the model library, mounted through the core's `extraRoutes` (behind admin auth):
//   GET    /api/v1/models                  library, disk usage, pulls
//   GET    /api/v1/models/search?q=&limit= GGUF repos on the hub
//   GET    /api/v1/models/pulls            pulls (progress also on /api/v1/events, kind model-pull)
//   POST   /api/v1/models/import           {path, link?, id?}            → 201 manifest
//   POST   /api/v1/models/pull             {repo, file?|quant?, revision?, id?, wait?} → 202 pull (201 manifest with wait)
//   POST   /api/v1/models/pulls/:id/cancel → pull (running: stopped, bytes kept; paused/failed: bytes discarded)
//   POST   /api/v1/models/pulls/:id/pause  → pull (paused, also listed after a restart)
//   POST   /api/v1/models/pulls/:id/resume → pull (continues from the bytes on disk, same id)
//   GET    /api/v1/models/:id              manifest + disk bytes
//   POST   /api/v1/models/:id/verify       re-hash
//   DELETE /api/v1/models/:id              204; 409 while loaded
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API, type ModelDetailResponse, type RouteCall, type ModelListResponse, type ModelSearchResponse } from '../../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import { validate } from '../../util/validate.js';
import { searchHub, type HubConfig } from '../../models/hub.js';
import type { ModelLibrary } from '../../models/library.js';
import type { PullManager } from '../../models/pull.js';

export interface ModelRouteDeps {
  library: ModelLibrary;
  pulls: PullManager;
  hub: () => HubConfig;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean>;

export function modelRoutes(deps: ModelRouteDeps): Handler {
  return async (req, res, url, call) => {
    const id = call?.params.id ?? '';
    switch (call?.id) {
      case 'models':
        return done(sendJson(res, 200, listBody(deps)));
      case 'modelSearch':
        return done(sendJson(res, 200, await search(deps, url.searchParams)));
      case 'modelPulls':
        return done(sendJson(res, 200, { data: deps.pulls.list() }));
      case 'importModel': {
        const body = validate(API.importModel.request, parseJsonObject(await readBody(req, 64 * 1024)));
        const m = await deps.library.import(body.path, { ...(body.link !== undefined ? { link: body.link } : {}), ...(body.id ? { id: body.id } : {}) });
        return done(sendJson(res, 201, m));
      }
      case 'pullModel': {
        const { wait, ...body } = validate(API.pullModel.request, parseJsonObject(await readBody(req, 64 * 1024)));
        const job = await deps.pulls.start(stripUndefined(body));
        if (!wait) return done(sendJson(res, 202, job));
        return done(sendJson(res, 201, await deps.pulls.wait(job.id)));
      }
      case 'cancelPull':
        return done(sendJson(res, 200, await deps.pulls.cancel(id)));
      case 'pausePull':
        return done(sendJson(res, 200, deps.pulls.pause(id)));
      case 'resumePull':
        return done(sendJson(res, 200, await deps.pulls.resume(id)));
      case 'verifyModel':
        return done(sendJson(res, 200, await deps.library.verify(id)));
      case 'model': {
        const m = deps.library.require(id);
        const body: ModelDetailResponse = { ...m, diskBytes: deps.library.diskBytes(m) };
        return done(sendJson(res, 200, body));
      }
      case 'deleteModel':
        await deps.library.remove(id);
        return done(void res.writeHead(204).end());
      default:
        return false;
    }
  };
}

function done(_: void): true {
  return true;
}

function listBody(deps: ModelRouteDeps): ModelListResponse {
  return { data: deps.library.list(), totalDiskBytes: deps.library.totalDiskBytes(), pulls: deps.pulls.list() };
}

async function search(deps: ModelRouteDeps, q: URLSearchParams): Promise<ModelSearchResponse> {
  const text = (q.get('q') ?? '').trim();
  if (!text) throw new HttpError(400, 'search needs `q`, the text to look for', 'invalid_request_error', 'invalid_value', 'q');
  const limit = q.get('limit') === null ? 20 : Number(q.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, '`limit` must be an integer from 1 to 100', 'invalid_request_error', 'invalid_value', 'limit');
  return { data: await searchHub(deps.hub(), text, limit) };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
