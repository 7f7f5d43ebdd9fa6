// GET /api/v1/catalog: the first-run catalogue with the planner's verdict for this machine and the
// recommended model (what the first-run screen shows). Behind admin auth like every /api/v1 route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogResponse, HardwareSnapshot, PlacementSettings, RouteCall } from '../../../contract/index.js';
import { sendJson } from '../../http/http.js';
import { catalogFor, loadCatalog } from '../../catalog/catalog.js';

export function catalogRoutes(deps: {
  hardware: () => Promise<HardwareSnapshot>;
  settings: () => Partial<PlacementSettings>;
}): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (_req, res, _url, call) => {
    if (call?.id !== 'catalog') return false;
    const hardware = await deps.hardware();
    const { verdicts, recommended } = catalogFor(hardware, loadCatalog(), deps.settings());
    const body: CatalogResponse = {
      recommended,
      models: verdicts.map(({ entry: { shape: _shape, ...entry }, fit, reason, contextSize }) => ({ ...entry, fit, reason, contextSize })),
      memory: memoryOf(hardware),
    };
    sendJson(res, 200, body);
    return true;
  };
}

/** The memory a first-run model is measured against: every GPU's together, or the RAM without one. */
function memoryOf(hw: HardwareSnapshot): CatalogResponse['memory'] {
  if (hw.gpus.length === 0) return { kind: 'ram', totalBytes: hw.memory.totalBytes };
  const known = hw.gpus.map((g) => g.vramTotalBytes).filter((b): b is number => b !== null);
  return { kind: 'gpu', totalBytes: known.length ? known.reduce((a, b) => a + b, 0) : null };
}
