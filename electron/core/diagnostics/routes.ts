// GET /api/v1/diagnostics: the support bundle of the running core as a zip download (the UI's
// button). Mounted through the core's `extraRoutes`, behind admin auth like every /api/v1 route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DIAGNOSTICS_ROUTE } from '../../contract/index.js';
import { sendError } from '../api/http.js';
import { HttpError } from '../util/errors.js';
import { bundleStream, scrubKnownSecrets } from './bundle.js';
import { collectDiagnostics, type DiagnosticsSources } from './collect.js';

export function diagnosticsRoutes(sources: DiagnosticsSources, secrets: () => (string | null | undefined)[]): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    if (url.pathname !== DIAGNOSTICS_ROUTE) return false;
    if (req.method !== 'GET') {
      sendError(res, new HttpError(405, `${DIAGNOSTICS_ROUTE} takes GET`, 'invalid_request_error', 'method_not_allowed'));
      return true;
    }
    try {
      const entries = scrubKnownSecrets(await collectDiagnostics(sources), secrets());
      const name = `llama-orch-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`;
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
      await pipeline(bundleStream(entries), res);
    } catch (err) {
      if (!res.headersSent) sendError(res, err);
      else res.destroy(err as Error);
    }
    return true;
  };
}
