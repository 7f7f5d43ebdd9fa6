// HTTP routes of the hardware module (admin API, behind admin auth in the server):
// GET /api/v1/hardware[?refresh=1] → HardwareSnapshot; GET /api/v1/hardware/live → SSE GpuLiveReport.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HARDWARE_ROUTES, ROUTES, type HardwareResponse, type RemoteDevice } from '../../contract/index.js';
import { sendJson } from '../api/http.js';
import { openSse } from '../api/sse.js';
import { HttpError } from '../util/errors.js';
import type { HardwareService } from './service.js';

/** `remote`: the RPC workers' devices, shown beside this machine's as remote devices. */
export function hardwareRoutes(service: HardwareService, remote?: () => Promise<RemoteDevice[]>) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const path = url.pathname;
    if (path !== ROUTES.hardware && path !== HARDWARE_ROUTES.live) return false;
    if (req.method !== 'GET') throw new HttpError(405, `method ${req.method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed');
    if (path === HARDWARE_ROUTES.live) {
      const sse = openSse(req, res);
      sse.onClose(service.monitor.subscribe((report) => sse.send(report)));
      return true;
    }
    const refresh = url.searchParams.get('refresh');
    if (refresh !== null && refresh !== '0' && refresh !== '1') throw new HttpError(400, `refresh must be 0 or 1, got '${refresh}'`, 'invalid_request_error', 'invalid_parameter', 'refresh');
    const snapshot = await service.snapshot({ refresh: refresh === '1' });
    const remoteDevices = (await remote?.().catch(() => null)) ?? [];
    const body: HardwareResponse = remoteDevices.length > 0 ? { ...snapshot, remoteDevices } : snapshot;
    sendJson(res, 200, body, { 'cache-control': 'no-store' });
    return true;
  };
}
