// Admin API of the engines module: GET /api/v1/engines, POST /api/v1/engines/install,
// POST /api/v1/engines/import (an uploaded archive), DELETE /api/v1/engines/:id. Mounted through the core's `extraRoutes` (behind admin auth).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API, type EngineListResponse, type RouteCall, type InstallEngineResponse } from '../../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import { validate } from '../../util/validate.js';
import { EngineError } from '../../engines/installer.js';
import { ReleaseError } from '../../engines/release.js';
import type { EngineService } from '../../engines/service.js';
import { importUpload } from '../../engines/upload.js';

const STATUS: Record<EngineError['code'], number> = {
  invalid_request: 400,
  not_found: 404,
  in_use: 409,
  exists: 409,
  release: 502,
  no_digest: 422,
  checksum_mismatch: 422,
  download: 502,
  extract: 422,
  self_test: 422,
  unchecked: 409,
  check_failed: 409,
  no_previous: 409,
};

export function engineRoutes(engines: EngineService, opts: { commandLineEngine?: boolean } = {}): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (req, res, url, call) => {
    try {
      switch (call?.id) {
        case 'engines': {
          const body: EngineListResponse = {
            data: engines.list(),
            defaultTag: engines.defaultTag,
            releaseSource: engines.releaseSource,
            defaultEngine: engines.defaultEngine,
            commandLineEngine: opts.commandLineEngine ?? false,
          };
          sendJson(res, 200, body);
          return true;
        }
        case 'installEngine':
          await install(req, res, engines);
          return true;
        case 'importEngine':
          sendJson(res, 201, await importUpload(req, url, engines, engines.uploadsDir));
          return true;
        case 'deleteEngine':
          await engines.remove(call.params.id!);
          res.writeHead(204).end();
          return true;
        default:
          return false;
      }
    } catch (err) {
      throw asHttpError(err);
    }
  };
}

async function install(req: IncomingMessage, res: ServerResponse, engines: EngineService): Promise<void> {
  const { wait, ...opts } = validate(API.installEngine.request, parseJsonObject(await readBody(req, 64 * 1024)), 'install request');
  const plan = await engines.prepare(opts);
  const body: InstallEngineResponse = { jobId: plan.jobId, choice: plan.choice, engine: plan.existing, alreadyInstalled: plan.existing !== null };
  if (plan.existing) return sendJson(res, 200, body);
  const job = engines.run(plan);
  if (wait) {
    body.engine = await job;
    return sendJson(res, 201, body);
  }
  job.catch(() => {
    // Reported as a failed ProgressEvent on /api/v1/events.
  });
  sendJson(res, 202, body);
}

export function asHttpError(err: unknown): unknown {
  if (err instanceof EngineError)
    return new HttpError(STATUS[err.code], err.message, STATUS[err.code] >= 500 ? 'server_error' : STATUS[err.code] === 404 ? 'not_found_error' : 'invalid_request_error', `engine_${err.code}`);
  if (err instanceof ReleaseError)
    return new HttpError(err.status, err.message, err.status === 404 ? 'not_found_error' : err.status >= 500 ? 'server_error' : 'invalid_request_error', 'engine_release');
  return err;
}
