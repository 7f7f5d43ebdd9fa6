// POST /api/v1/plans: where a model would go on this machine (or on a saved snapshot), without
// starting anything. A model that does not fit is an answer (plan null, error, rejected), not a 4xx.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API, placementOverridesSchema, type RouteCall } from '../../../contract/index.js';
import type { HardwareSnapshot } from '../../../contract/hardware.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { HttpError } from '../../util/errors.js';
import { validate } from '../../util/validate.js';
import { previewPlan, type PlanSources } from '../../plans/service.js';

/** The one schema of placement overrides (contract/deployments.ts). */
export const overridesSchema = placementOverridesSchema;

export function planRoutes(sources: PlanSources) {
  return async (req: IncomingMessage, res: ServerResponse, _url: URL, call: RouteCall | null): Promise<boolean> => {
    if (call?.id !== 'plans') return false;
    const { model, overrides, hardware } = validate(API.plans.request, parseJsonObject(await readBody(req)), 'plan request');
    try {
      const body = await previewPlan({ model, ...(overrides ? { overrides } : {}), ...(hardware ? { hardware: hardware as unknown as HardwareSnapshot } : {}) }, sources);
      sendJson(res, 200, body);
    } catch (err) {
      throw new HttpError(400, (err as Error).message, 'invalid_request_error', 'model_unreadable', 'model');
    }
    return true;
  };
}
