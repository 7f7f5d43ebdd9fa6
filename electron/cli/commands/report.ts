// `llama-orch report [--month YYYY-MM] [--format json|csv|html] [--output file]`: the operations
// report of a data dir. Through the running core when there is one, else read from the store file.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPORT_FORMATS, ROUTES, type ReportFormat } from '../../contract/index.js';
import { dataLayout, defaultDataDir } from '../../core/paths.js';
import { buildReport, currentMonth, monthWindow } from '../../core/reports/report.js';
import { reportCsv, reportHtml, requestsJsonl } from '../../core/reports/render.js';
import { sloFrom } from '../../core/reports/slo-settings.js';
import { SettingsStore } from '../../core/settings/settings.js';
import { OpsStore } from '../../core/store/store.js';
import { type CliCommand, UsageError } from '../command.js';
import { CoreClient } from '../core-client.js';

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'operations report for a month: availability, incidents, latency, errors, usage per key',
  usage: `llama-orch report [--month YYYY-MM] [--format json|csv|html|jsonl] [--output <file>] [--data-dir <dir>]

  --month    the month to report (in the settings' time zone); default: the current month, up to now
  --format   json (default), csv (one row per total, deployment, key and incident), html (printable)
             or jsonl (the month's request rows: metadata, never content)
  --output   write to this file instead of standard output`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { month: { type: 'string' }, format: { type: 'string', default: 'json' }, output: { type: 'string' }, 'data-dir': { type: 'string' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const format = values.format;
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got '${format}'`);
    const month = values.month ?? null;
    if (month !== null && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month must look like 2026-11, got '${month}'`);
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    const text = await reportText(dataDir, month, format as ReportFormat);
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
    return 0;
  },
};

/** `month` null: the current month in the settings' time zone (the core's own, or read here). */
async function reportText(dataDir: string, requested: string | null, format: ReportFormat): Promise<string> {
  const client = CoreClient.find(dataDir);
  if (client) return client.text(`${ROUTES.reports}?${requested ? `month=${requested}&` : ''}format=${format}`);
  const layout = dataLayout(dataDir);
  const store = new OpsStore(join(layout.root, 'ops.sqlite'));
  try {
    const problem = store.health().problem;
    if (problem) throw new Error(problem);
    const settings = new SettingsStore(layout.settings).get().reports;
    const month = requested ?? currentMonth(Date.now(), settings.timeZone);
    if (format === 'jsonl') {
      const { fromMs, toMs } = monthWindow(month, settings.timeZone);
      return requestsJsonl(store, fromMs, toMs);
    }
    const report = buildReport(store, month, sloFrom(settings), Date.now(), settings);
    return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'csv' ? reportCsv(report) : reportHtml(report);
  } finally {
    store.close();
  }
}
