// Admin routes of the supervisor that the base admin API does not serve: starting an instance
// (POST /api/v1/instances {model, engine?, contextSize?, parallel?, wait?}) and reading the facts an
// engine reported (GET /api/v1/instances/:id/facts). Mounted through the core's `extraRoutes`.
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ROUTES, type InstanceFactsResponse, type InstanceInfo, type StartInstanceBody } from '../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../api/http.js';
import { unknownModel } from '../api/openai.js';
import { planToArgs } from '../engines/args.js';
import { modelIdFromPath, type ServedModels } from '../router/model-router.js';
import { HttpError } from '../util/errors.js';
import type { EngineInstance } from './instance.js';
import type { Supervisor } from './supervisor.js';

export interface InstanceRouteDeps {
  supervisor: Supervisor;
  models: ServedModels;
  /** An engine id or path → binary; undefined → the default engine. Throws with a clear message. */
  resolveEngine: (idOrPath?: string) => string;
}

const startSchema = z.object({
  model: z.string().min(1).max(4096),
  engine: z.string().min(1).max(4096).optional(),
  contextSize: z.number().int().positive().max(10_000_000).optional(),
  parallel: z.number().int().positive().max(1024).optional(),
  wait: z.boolean().optional(),
}) satisfies z.ZodType<StartInstanceBody>;

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
  const parsed = startSchema.safeParse(parseJsonObject(await readBody(req, 64 * 1024)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.') || null;
    throw new HttpError(400, `${param ?? 'body'}: ${issue.message}`, 'invalid_request_error', 'invalid_value', param);
  }
  const body = parsed.data;
  const { id: modelId, path: modelPath } = registerModel(deps.models, body);
  const existing = deps.supervisor.findByModel(modelId);
  if (existing) {
    const state = existing.info().state;
    if (state !== 'failed' && state !== 'stopped') return sendJson(res, 200, existing.info());
    await deps.supervisor.remove(existing.id); // a failed instance is replaced by a fresh attempt
  }
  const inst = body.engine ? createWithEngine(deps, modelId, modelPath, body) : await defaultInstance(deps, modelId);
  const ready = inst.ensureReady();
  if (body.wait) {
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

/** A known model id, or a path to a GGUF file registered under its file name. */
function registerModel(models: ServedModels, body: z.infer<typeof startSchema>): { id: string; path: string | null } {
  const plan = { ...(body.contextSize ? { contextSize: body.contextSize } : {}), ...(body.parallel ? { parallel: body.parallel } : {}) };
  const known = models.ids().find((id) => id === body.model || id.toLowerCase() === body.model.toLowerCase());
  const path = resolve(body.model);
  if (!known && existsSync(path) && statSync(path).isFile()) {
    if (!/\.gguf$/i.test(path)) throw new HttpError(400, `model: ${path} is not a .gguf file`, 'invalid_request_error', 'invalid_value', 'model');
    return { id: models.add({ id: modelIdFromPath(path), path, plan }).id, path };
  }
  if (!known) throw unknownModel(body.model, models.ids());
  return { id: known, path: null };
}

async function defaultInstance(deps: InstanceRouteDeps, modelId: string): Promise<EngineInstance> {
  try {
    return await deps.models.ensureInstance(modelId);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(503, (err as Error).message, 'server_error', 'engine_unavailable'); // e.g. no engine installed
  }
}

/** An instance on a named engine (the router's instances use the default engine). */
function createWithEngine(deps: InstanceRouteDeps, modelId: string, modelPath: string | null, body: z.infer<typeof startSchema>): EngineInstance {
  if (!modelPath) throw new HttpError(400, 'engine: choosing an engine needs `model` to be a path to a .gguf file', 'invalid_request_error', 'invalid_value', 'engine');
  let enginePath: string;
  try {
    enginePath = deps.resolveEngine(body.engine);
  } catch (err) {
    throw new HttpError(400, `engine: ${(err as Error).message}`, 'invalid_request_error', 'invalid_value', 'engine');
  }
  const plan = { ...(body.contextSize ? { contextSize: body.contextSize } : {}), ...(body.parallel ? { parallel: body.parallel } : {}) };
  return deps.supervisor.create({ id: modelId, modelId, modelPath, enginePath, args: planToArgs({ modelPath, alias: modelId, ...plan }) });
}
