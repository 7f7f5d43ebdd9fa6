// Admin API of engine upgrades: the default engine, staging checks, promote and rollback
// (ENGINE_UPGRADE_ROUTES). Mounted before engineRoutes, whose `/engines/:id` would otherwise match.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API, type RouteCall } from '../../../contract/index.js';
import { actorOf } from '../actor.js';
import { toHttpError } from '../deployment-router.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import { validate } from '../../util/validate.js';
import { asHttpError } from './engines.js';
import type { EngineUpgrades } from '../../engines/upgrades.js';

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(req, 64 * 1024));
}

export function engineUpgradeRoutes(upgrades: EngineUpgrades): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (req, res, _url, call) => {
    try {
      switch (call?.id) {
        case 'defaultEngine':
          return done(res, 200, upgrades.view());
        case 'setDefaultEngine': {
          const { engine } = validate(API.setDefaultEngine.request, await body(req), 'default engine');
          return done(res, 200, upgrades.setDefault(engine, actorOf(req)));
        }
        case 'engineChecks':
          return done(res, 200, { data: upgrades.reports.list() });
        case 'runEngineCheck': {
          const { candidate, deployments } = validate(API.runEngineCheck.request, await body(req), 'engine check');
          return done(res, 201, await upgrades.check(candidate, deployments ?? 'all', actorOf(req)));
        }
        case 'engineCheck': {
          const id = call.params.id!;
          const report = upgrades.reports.get(id);
          if (!report) throw new HttpError(404, `no engine check report '${id}'`, 'not_found_error', 'check_not_found', 'id');
          return done(res, 200, report);
        }
        case 'promoteEngine': {
          const { engine, force, deployments } = validate(API.promoteEngine.request, await body(req), 'promote');
          return done(res, 200, await upgrades.promote(engine, { force: force ?? false, actor: actorOf(req), ...(deployments ? { deployments } : {}) }));
        }
        case 'rollbackEngine':
          return done(res, 200, await upgrades.rollback(actorOf(req)));
        default:
          return false;
      }
    } catch (err) {
      throw toHttpError(asHttpError(err));
    }
  };
}

function done(res: ServerResponse, status: number, value: unknown): true {
  sendJson(res, status, value);
  return true;
}
