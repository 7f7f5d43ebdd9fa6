// GET /api/v1/reports?month=YYYY-MM&format=json|csv|html|jsonl: the operations report (admin API).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REPORT_FORMATS, type RouteCall, type OpsReport, type ReportFormat } from '../../../contract/index.js';
import { sendJson } from '../../http/http.js';
import type { OpsStore } from '../../store/store.js';
import { HttpError } from '../../util/errors.js';
import { buildReport, currentMonth, monthWindow, type CostSettings, type SloPolicy } from '../../reports/report.js';
import { reportCsv, reportHtml, requestsJsonl } from '../../reports/render.js';

export interface ReportSources {
  store: OpsStore;
  slo: () => SloPolicy;
  cost?: () => CostSettings;
  now?: () => number;
}

export function reportRoutes(sources: ReportSources) {
  return (_req: IncomingMessage, res: ServerResponse, url: URL, call: RouteCall | null): boolean => {
    if (call?.id !== 'reports') return false;
    const format = url.searchParams.get('format') ?? 'json';
    if (!(REPORT_FORMATS as readonly string[]).includes(format))
      throw new HttpError(400, `format must be one of ${REPORT_FORMATS.join(', ')}, got '${format}'`, 'invalid_request_error', 'invalid_parameter', 'format');
    const now = (sources.now ?? Date.now)();
    const month = url.searchParams.get('month') ?? currentMonth(now, sources.slo().timeZone);
    if (format === 'jsonl') {
      sendJsonl(res, month, sources);
      return true;
    }
    const report = reportOrUnavailable(sources, month, now);
    sendReport(res, report, format as ReportFormat);
    return true;
  };
}

function reportOrUnavailable(sources: ReportSources, month: string, now: number): OpsReport {
  try {
    return buildReport(sources.store, month, sources.slo(), now, sources.cost?.());
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // The store is corrupt or locked: the report says so; inference is not affected.
    throw new HttpError(503, `the operations report is not available: ${(err as Error).message}`, 'server_error', 'store_unavailable');
  }
}

/** The month's request rows as JSON lines (the request log, exported from the store). */
function sendJsonl(res: ServerResponse, month: string, sources: ReportSources): void {
  const { fromMs, toMs } = monthWindow(month, sources.slo().timeZone);
  let body: string;
  try {
    body = requestsJsonl(sources.store, fromMs, toMs);
  } catch (err) {
    throw new HttpError(503, `the request export is not available: ${(err as Error).message}`, 'server_error', 'store_unavailable');
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': `attachment; filename="llama-orch-requests-${month}.jsonl"` });
  res.end(body);
}

function sendReport(res: ServerResponse, report: OpsReport, format: ReportFormat): void {
  if (format === 'json') return sendJson(res, 200, report, { 'cache-control': 'no-store' });
  const body = format === 'csv' ? reportCsv(report) : reportHtml(report);
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-disposition': `${format === 'csv' ? 'attachment' : 'inline'}; filename="llama-orch-report-${report.month}.${format}"`,
  });
  res.end(body);
}
