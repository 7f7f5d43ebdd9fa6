// Admin routes of the deployments module: GET/POST /api/v1/deployments, GET/PATCH/DELETE
// /api/v1/deployments/:name, POST …/:name/load and …/:name/unload, and POST /api/v1/instances (start
// a model now, optionally with placement overrides, without saving a deployment).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { deploymentInputSchema, deploymentPatchSchema, placementOverridesSchema, ROUTES, type DeploymentListResponse, type InstanceInfo } from '../../contract/index.js';
import type { LiveInstance } from '../deployments/deployment.js';
import type { Deployments } from '../deployments/service.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import { toHttpError } from './deployment-router.js';
import { parseJsonObject, readBody, sendJson } from './http.js';
import type { RouteHandler } from './server.js';

const BODY_LIMIT = 64 * 1024;

const startSchema = placementOverridesSchema.extend({
  model: z.string().min(1).max(4096),
  engine: z.string().min(1).max(4096).optional(),
  wait: z.boolean().optional(),
});

export function deploymentRoutes(deployments: Deployments): RouteHandler {
  return async (req, res, url) => {
    try {
      return await route(deployments, req, res, url);
    } catch (err) {
      throw toHttpError(err);
    }
  };
}

async function route(deployments: Deployments, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (path === ROUTES.instances && method === 'POST') {
    await startInstance(deployments, req, res);
    return true;
  }
  if (path === ROUTES.deployments) {
    if (method === 'GET') {
      const body: DeploymentListResponse = { data: deployments.views(), problems: deployments.problems };
      return sendJson(res, 200, body), true;
    }
    if (method === 'POST') {
      const input = validate(deploymentInputSchema, await jsonBody(req), 'deployment');
      return sendJson(res, 201, await deployments.create(input)), true;
    }
  }
  const m = /^\/api\/v1\/deployments\/([^/]+)(\/load|\/unload)?$/.exec(path);
  if (!m) return false;
  const name = decodeURIComponent(m[1]!);
  if (m[2] === '/load' && method === 'POST') {
    const inst = await deployments.load(name);
    if (url.searchParams.get('wait') === '1') await ready(inst, name);
    else inst.ensureReady().catch(() => undefined); // the failure is the instance's state, on /api/v1/events
    return sendJson(res, url.searchParams.get('wait') === '1' ? 200 : 202, inst.info()), true;
  }
  if (m[2] === '/unload' && method === 'POST') {
    if (!(await deployments.unload(name))) throw new HttpError(404, `'${name}' has no running engine`, 'not_found_error', 'instance_not_found', 'name');
    return res.writeHead(204).end(), true;
  }
  if (m[2]) return false;
  if (method === 'GET') {
    const view = deployments.views().find((v) => v.name === name) ?? deployments.views().find((v) => v.name === deployments.find(name).name);
    if (!view) throw new HttpError(404, `deployment '${name}' not found`, 'not_found_error', 'deployment_not_found', 'name');
    return sendJson(res, 200, view), true;
  }
  if (method === 'PATCH') {
    const patch = validate(deploymentPatchSchema, await jsonBody(req), 'deployment');
    return sendJson(res, 200, await deployments.update(name, patch)), true;
  }
  if (method === 'DELETE') {
    await deployments.remove(name);
    return res.writeHead(204).end(), true;
  }
  return false;
}

/**
 * POST /api/v1/instances {model, engine?, wait?, ...overrides}: start a model now. Overrides or an
 * engine re-plan the deployment first, so a refusal leaves a running engine as it was.
 */
async function startInstance(deployments: Deployments, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { model, engine, wait, ...overrides } = validate(startSchema, await jsonBody(req), 'instance request');
  const d = deployments.findOrServeFile(model);
  const reconfigure = Object.keys(overrides).length > 0 || engine !== undefined;
  const state = d.instance?.info().state;
  if (d.instance && state !== 'failed' && state !== 'stopped' && !reconfigure) return sendJson(res, 200, d.instance.info());
  if (reconfigure) await deployments.update(d.name, { overrides, ...(engine ? { engine } : {}) }, { save: false });
  const inst = await deployments.load(d.name);
  if (wait) {
    await ready(inst, d.name);
    return sendJson(res, 201, inst.info() satisfies InstanceInfo);
  }
  inst.ensureReady().catch(() => undefined); // the failure is the instance's state and reason, on /api/v1/events
  sendJson(res, 202, inst.info() satisfies InstanceInfo);
}

async function ready(inst: LiveInstance, name: string): Promise<void> {
  try {
    await inst.ensureReady();
  } catch (err) {
    throw new HttpError(503, `model '${name}' failed to start: ${(err as Error).message}`, 'server_error', 'engine_unavailable');
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(req, BODY_LIMIT));
}
