// Admin API of the offline kit, for the UI (Settings → Offline kit): export to and import from a
// folder the user chose, in the running core so what is imported is served at once. Both answer
// when done; progress goes out as ProgressEvents on /api/v1/events.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute } from 'node:path';
import { API, KIT_PROGRESS_KINDS, type RouteCall, type CoreEvent, type KitProgress, type ProgressEvent } from '../../../contract/index.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import { asHttpError } from './engines.js';
import type { Listeners } from '../../util/emitter.js';
import { validate } from '../../util/validate.js';
import { exportKit, type KitSources } from '../../kit/export.js';
import { importKit, type KitTargets } from '../../kit/import.js';

// The table's schemas, with the one rule JSON Schema cannot say: the folder is an absolute path.
const absolute = (p: { dir: string }) => isAbsolute(p.dir);
const exportSchema = API.kitExport.request.refine(absolute, { message: 'must be an absolute folder path', path: ['dir'] });
const importSchema = API.kitImport.request.refine(absolute, { message: 'must be an absolute folder path', path: ['dir'] });

export function kitRoutes(deps: {
  sources: KitSources;
  targets: KitTargets;
  events: Listeners<CoreEvent>;
}): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (req, res, _url, call) => {
    if (call?.id !== 'kitExport' && call?.id !== 'kitImport') return false;
    const body = parseJsonObject(await readBody(req, 64 * 1024));
    try {
      if (call.id === 'kitExport') {
        const { dir, models, engines } = validate(exportSchema, body, 'kit export request');
        sendJson(res, 200, await exportKit(deps.sources, dir, { ...(models ? { models } : {}), ...(engines ? { engines } : {}), onProgress: progress(deps.events, 'export', dir) }));
      } else {
        const { dir } = validate(importSchema, body, 'kit import request');
        sendJson(res, 200, await importKit(deps.targets, dir, { onProgress: progress(deps.events, 'import', dir) }));
      }
    } catch (err) {
      throw asHttpError(err);
    }
    return true;
  };
}

/** KitProgress as the app's ProgressEvent, at most every 1 % so the event stream stays calm. */
function progress(events: Listeners<CoreEvent>, what: 'export' | 'import', dir: string): (p: KitProgress) => void {
  let lastPercent = -1;
  return (p) => {
    const percent = p.totalBytes ? Math.floor((100 * p.bytes) / p.totalBytes) : 0;
    if (percent === lastPercent && p.phase === 'copy') return;
    lastPercent = percent;
    const ev: ProgressEvent = {
      type: 'progress',
      kind: KIT_PROGRESS_KINDS[what],
      id: `${KIT_PROGRESS_KINDS[what]}:${dir}`,
      label: `${p.phase === 'register' ? 'Installing' : what === 'export' ? 'Writing' : 'Copying'} ${p.file ?? ''}`.trim(),
      state: 'running',
      bytes: p.bytes,
      totalBytes: p.totalBytes,
      bytesPerSecond: null,
      etaSeconds: null,
      error: null,
    };
    events.emit(ev);
  };
}
