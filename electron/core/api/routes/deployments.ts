// Admin routes of the deployments module: GET/POST /api/v1/deployments, GET/PATCH/DELETE
// /api/v1/deployments/:name, POST …/:name/load and …/:name/unload, and POST /api/v1/instances (start
// a model now, optionally with placement overrides, without saving a deployment).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API, type DeploymentListResponse, type InstanceInfo } from '../../../contract/index.js';
import type { LiveInstance } from '../../deployments/deployment.js';
import type { Deployments } from '../../deployments/service.js';
import { HttpError } from '../../util/errors.js';
import { validate } from '../../util/validate.js';
import { toHttpError } from '../deployment-router.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import type { RouteCall, RouteHandler } from '../server.js';

const BODY_LIMIT = 64 * 1024;

export function deploymentRoutes(deployments: Deployments): RouteHandler {
  return async (req, res, url, call) => {
    if (!call) return false;
    try {
      return await route(deployments, req, res, url, call);
    } catch (err) {
      throw toHttpError(err);
    }
  };
}

async function route(deployments: Deployments, req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall): Promise<boolean> {
  const name = call.params.name ?? '';
  switch (call.id) {
    case 'startInstance':
      await startInstance(deployments, req, res);
      return true;
    case 'deployments': {
      const body: DeploymentListResponse = { data: deployments.views(), problems: deployments.problems };
      return (sendJson(res, 200, body), true);
    }
    case 'createDeployment': {
      const input = validate(API.createDeployment.request, await jsonBody(req), 'deployment');
      return (sendJson(res, 201, await deployments.create(input)), true);
    }
    case 'loadDeployment': {
      const wait = url.searchParams.get('wait') === '1';
      const inst = await deployments.load(name);
      if (wait) await ready(inst, name);
      else inst.ensureReady().catch(() => undefined); // the failure is the instance's state, on /api/v1/events
      return (sendJson(res, wait ? 200 : 202, inst.info()), true);
    }
    case 'unloadDeployment':
      if (!(await deployments.unload(name))) throw new HttpError(404, `'${name}' has no running engine`, 'not_found_error', 'instance_not_found', 'name');
      return (res.writeHead(204).end(), true);
    case 'deployment': {
      const view = deployments.views().find((v) => v.name === name) ?? deployments.views().find((v) => v.name === deployments.find(name).name);
      if (!view) throw new HttpError(404, `deployment '${name}' not found`, 'not_found_error', 'deployment_not_found', 'name');
      return (sendJson(res, 200, view), true);
    }
    case 'updateDeployment': {
      const patch = validate(API.updateDeployment.request, await jsonBody(req), 'deployment');
      return (sendJson(res, 200, await deployments.update(name, patch)), true);
    }
    case 'deleteDeployment':
      await deployments.remove(name);
      return (res.writeHead(204).end(), true);
    default:
      return false;
  }
}

/**
 * POST /api/v1/instances {model, engine?, wait?, ...overrides}: start a model now. Overrides or an
 * engine re-plan the deployment first, so a refusal leaves a running engine as it was.
 */
async function startInstance(deployments: Deployments, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { model, engine, wait, ...overrides } = validate(API.startInstance.request, await jsonBody(req), 'instance request');
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
