// Admin API of engine upgrades: the default engine, staging checks, promote and rollback
// (ENGINE_UPGRADE_ROUTES). Mounted before engineRoutes, whose `/engines/:id` would otherwise match.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ENGINE_UPGRADE_ROUTES as R } from '../../contract/index.js';
import { actorOf } from '../api/actor.js';
import { toHttpError } from '../api/deployment-router.js';
import { parseJsonObject, readBody, sendJson } from '../api/http.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import { asHttpError } from './routes.js';
import type { EngineUpgrades } from './upgrades.js';

const engineId = z.string().min(1).max(200);
const defaultSchema = z.object({ engine: engineId }).strict();
const checkSchema = z.object({ candidate: engineId, deployments: z.union([z.literal('all'), z.array(z.string().min(1).max(200)).min(1).max(100)]).optional() }).strict();
const promoteSchema = z.object({ engine: engineId, force: z.boolean().optional(), deployments: z.array(z.string().min(1).max(200)).min(1).max(100).optional() }).strict();

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(req, 64 * 1024));
}

export function engineUpgradeRoutes(upgrades: EngineUpgrades): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const known = path === R.defaultEngine || path === R.checks || path.startsWith(`${R.checks}/`) || path === R.promote || path === R.rollback;
    if (!known) return false;
    try {
      if (path === R.defaultEngine && method === 'GET') return done(res, 200, upgrades.view());
      if (path === R.defaultEngine && method === 'PUT') {
        const { engine } = validate(defaultSchema, await body(req), 'default engine');
        return done(res, 200, upgrades.setDefault(engine, actorOf(req)));
      }
      if (path === R.checks && method === 'GET') return done(res, 200, { data: upgrades.reports.list() });
      if (path === R.checks && method === 'POST') {
        const { candidate, deployments } = validate(checkSchema, await body(req), 'engine check');
        return done(res, 201, await upgrades.check(candidate, deployments ?? 'all', actorOf(req)));
      }
      if (path.startsWith(`${R.checks}/`) && method === 'GET') {
        const id = decodeURIComponent(path.slice(R.checks.length + 1));
        const report = upgrades.reports.get(id);
        if (!report) throw new HttpError(404, `no engine check report '${id}'`, 'not_found_error', 'check_not_found', 'id');
        return done(res, 200, report);
      }
      if (path === R.promote && method === 'POST') {
        const { engine, force, deployments } = validate(promoteSchema, await body(req), 'promote');
        return done(res, 200, await upgrades.promote(engine, { force: force ?? false, actor: actorOf(req), ...(deployments ? { deployments } : {}) }));
      }
      if (path === R.rollback && method === 'POST') return done(res, 200, await upgrades.rollback(actorOf(req)));
    } catch (err) {
      throw toHttpError(asHttpError(err));
    }
    throw new HttpError(405, `${method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed');
  };
}

function done(res: ServerResponse, status: number, value: unknown): true {
  sendJson(res, status, value);
  return true;
}
