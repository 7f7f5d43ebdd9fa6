// Admin routes of the supervisor that the base admin API does not serve: starting an instance
// (POST /api/v1/instances {model, engine?, wait?, ...placement overrides}) and reading the facts an
// engine reported (GET /api/v1/instances/:id/facts). Mounted through the core's `extraRoutes`.
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ROUTES, type InstanceFactsResponse, type InstanceInfo, type PlacementOverrides } from '../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../api/http.js';
import { overridesSchema } from '../plans/routes.js';
import { modelIdFromPath, type ServedModels } from '../router/model-router.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import type { EngineInstance } from './instance.js';
import type { Supervisor } from './supervisor.js';

export interface InstanceRouteDeps {
  supervisor: Supervisor;
  models: ServedModels;
  /** An engine id or path → binary; undefined → the default engine. Throws with a clear message. */
  resolveEngine: (idOrPath?: string) => string;
}

const startSchema = overridesSchema.extend({
  model: z.string().min(1).max(4096),
  engine: z.string().min(1).max(4096).optional(),
  wait: z.boolean().optional(),
});

export function instanceRoutes(deps: InstanceRouteDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    if (url.pathname === ROUTES.instances && method === 'POST') {
      await startInstance(req, res, deps);
      return true;
    }
    const facts = /^\/api\/v1\/instances\/([^/]+)\/facts$/.exec(url.pathname);
    if (facts && method === 'GET') {
      const id = decodeURIComponent(facts[1]!);
      const inst = deps.supervisor.get(id);
      if (!inst) throw new HttpError(404, `instance '${id}' not found`, 'not_found_error', 'instance_not_found', 'id');
      const body: InstanceFactsResponse = { id, facts: inst.facts() };
      sendJson(res, 200, body);
      return true;
    }
    return false;
  };
}

async function startInstance(req: IncomingMessage, res: ServerResponse, deps: InstanceRouteDeps): Promise<void> {
  const { model, engine, wait, ...overrides } = validate(startSchema, parseJsonObject(await readBody(req, 64 * 1024)), 'instance request');
  const enginePath = engine ? engineBinary(deps, engine) : undefined;
  const reconfigure = Object.keys(overrides).length > 0 || enginePath !== undefined;
  const { id: modelId, previous } = registerModel(deps.models, model, { overrides, ...(enginePath ? { enginePath } : {}) });
  const existing = deps.supervisor.findByModel(modelId);
  const state = existing?.info().state;
  if (existing && state !== 'failed' && state !== 'stopped' && !reconfigure) return sendJson(res, 200, existing.info());
  let inst: EngineInstance;
  try {
    // A failed instance is replaced by a fresh attempt; a running one is reloaded with the new
    // settings, planned before the old engine stops so a refusal leaves it running.
    inst = existing ? await deps.models.reload(modelId) : await defaultInstance(deps, modelId);
  } catch (err) {
    if (previous) deps.models.restore(modelId, previous);
    if (err instanceof HttpError) throw err;
    throw new HttpError(503, (err as Error).message, 'server_error', 'engine_unavailable');
  }
  const ready = inst.ensureReady();
  if (wait) {
    try {
      await ready;
    } catch (err) {
      throw new HttpError(503, `model '${modelId}' failed to start: ${(err as Error).message}`, 'server_error', 'engine_unavailable');
    }
    return sendJson(res, 201, inst.info() satisfies InstanceInfo);
  }
  ready.catch(() => {
    // The failure is the instance's state and reason, published on /api/v1/events.
  });
  sendJson(res, 202, inst.info() satisfies InstanceInfo);
}

/** A known model id (library or served), or a path to a GGUF file registered under its file name. */
function registerModel(models: ServedModels, model: string, changes: { overrides: PlacementOverrides; enginePath?: string }): { id: string; previous: Parameters<ServedModels['restore']>[1] | null } {
  const known = models.ids().some((id) => id.toLowerCase() === model.toLowerCase());
  const path = resolve(model);
  if (!known && existsSync(path) && statSync(path).isFile()) {
    if (!/\.gguf$/i.test(path)) throw new HttpError(400, `model: ${path} is not a .gguf file`, 'invalid_request_error', 'invalid_value', 'model');
    return { id: models.add({ id: modelIdFromPath(path), path, ...changes }).id, previous: null };
  }
  return models.configure(model, changes); // 404 listing the models when unknown
}

async function defaultInstance(deps: InstanceRouteDeps, modelId: string): Promise<EngineInstance> {
  try {
    return await deps.models.ensureInstance(modelId);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(503, (err as Error).message, 'server_error', 'engine_unavailable'); // e.g. no engine installed
  }
}

function engineBinary(deps: InstanceRouteDeps, engine: string): string {
  try {
    return deps.resolveEngine(engine);
  } catch (err) {
    throw new HttpError(400, `engine: ${(err as Error).message}`, 'invalid_request_error', 'invalid_value', 'engine');
  }
}
