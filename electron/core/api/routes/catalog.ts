// GET /api/v1/catalog: the first-run catalogue with the planner's verdict for this machine and the
// recommended model (what the first-run screen shows). Behind admin auth like every /api/v1 route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HardwareSnapshot, PlacementSettings, RouteCall } from '../../../contract/index.js';
import { sendJson } from '../../http/http.js';
import { catalogFor, loadCatalog } from '../../catalog/catalog.js';

export function catalogRoutes(deps: { hardware: () => Promise<HardwareSnapshot>; settings: () => Partial<PlacementSettings> }): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (_req, res, _url, call) => {
    if (call?.id !== 'catalog') return false;
    const { verdicts, recommended } = catalogFor(await deps.hardware(), loadCatalog(), deps.settings());
    sendJson(res, 200, { recommended, models: verdicts.map((v) => ({ ...v.entry, fit: v.fit, reason: v.reason, contextSize: v.contextSize })) });
    return true;
  };
}
