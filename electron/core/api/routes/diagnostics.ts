// GET /api/v1/diagnostics: the support bundle of the running core as a zip download (the UI's
// button). Mounted through the core's `extraRoutes`, behind admin auth like every /api/v1 route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { RouteCall } from '../../../contract/index.js';
import { sendError } from '../../http/http.js';
import { bundleStream, scrubKnownSecrets } from '../../diagnostics/bundle.js';
import { collectDiagnostics, type DiagnosticsSources } from '../../diagnostics/collect.js';

export function diagnosticsRoutes(
  sources: DiagnosticsSources,
  secrets: () => (string | null | undefined)[],
): (req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null) => Promise<boolean> {
  return async (_req, res, _url, call) => {
    if (call?.id !== 'diagnostics') return false;
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
