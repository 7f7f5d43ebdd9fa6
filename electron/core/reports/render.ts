// The report as CSV (one row per total, deployment, key and incident; fixed columns) and as a
// self-contained printable HTML page (print CSS, every value escaped). The page's charts are drawn
// by uPlot, the chart library of the Reports screen, inlined with the figures so the file works
// offline when handed to a customer; its CSP allows exactly those two scripts (by hash).
import { stringify } from 'csv-stringify/sync';
import { reportCharts } from './charts.js';
import type { OpsStore } from '../store/store.js';
import { countedWhen, type DeploymentReport, type OpsReport, type Percentiles } from '../../contract/index.js';

const CSV_COLUMNS = [
  'scope',
  'name',
  'availability_percent',
  'downtime_seconds',
  'error_budget_left_percent',
  'requests',
  'errors',
  'error_rate_percent',
  'prompt_tokens',
  'completion_tokens',
  'ttft_p50_ms',
  'ttft_p95_ms',
  'ttft_p99_ms',
  'tpot_p50_ms',
  'tpot_p95_ms',
  'tpot_p99_ms',
  'incident_start',
  'incident_end',
  'incident_kind',
  'incident_cause',
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

function deploymentCsv(scope: string, name: string, d: Omit<DeploymentReport, 'deployment'>): CsvRow {
  return {
    scope,
    name,
    availability_percent: d.availabilityPercent,
    downtime_seconds: d.downtimeSeconds,
    error_budget_left_percent: d.errorBudgetLeftPercent,
    requests: d.requests,
    errors: d.errors,
    error_rate_percent: d.errorRatePercent,
    prompt_tokens: d.promptTokens,
    completion_tokens: d.completionTokens,
    ttft_p50_ms: d.ttftMs.p50,
    ttft_p95_ms: d.ttftMs.p95,
    ttft_p99_ms: d.ttftMs.p99,
    tpot_p50_ms: d.tpotMs.p50,
    tpot_p95_ms: d.tpotMs.p95,
    tpot_p99_ms: d.tpotMs.p99,
  };
}

/**
 * Request rows as JSON lines: what the JSON-lines request log held, exported from the store
 * (metadata only; rows of days rolled up past the retention are summed away and not listed).
 */
export function requestsJsonl(store: Pick<OpsStore, 'requests'>, fromMs: number, toMs: number): string {
  return store
    .requests(fromMs, toMs)
    .map(({ timeMs, ...r }) => `${JSON.stringify({ time: new Date(timeMs).toISOString(), ...r })}\n`)
    .join('');
}

export function reportCsv(r: OpsReport): string {
  const rows: CsvRow[] = [
    deploymentCsv('total', r.month, r.total),
    ...r.deployments.map((d) => deploymentCsv('deployment', d.deployment, d)),
    ...r.keys.map((k) => ({
      scope: 'key',
      name: k.keyId ?? '(no key)',
      requests: k.requests,
      errors: k.errors,
      error_rate_percent: k.errorRatePercent,
      prompt_tokens: k.promptTokens,
      completion_tokens: k.completionTokens,
    })),
    ...r.total.incidents.map((i) => ({
      scope: 'incident',
      name: i.deployment,
      downtime_seconds: i.durationSeconds,
      incident_start: i.start,
      incident_end: i.end,
      incident_kind: i.kind,
      incident_cause: i.cause,
    })),
  ];
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], cast: { number: (n) => String(n) } });
}

const escape = (s: unknown): string => String(s ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (n: number | null, digits = 3) => (n === null ? '—' : `${n.toFixed(digits)} %`);
const ms = (p: Percentiles) => (p.count === 0 ? '—' : `${p.p50} / ${p.p95} / ${p.p99}`);
const duration = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);

function deploymentRow(name: string, d: Omit<DeploymentReport, 'deployment'>): string {
  const cells = [
    name,
    pct(d.availabilityPercent),
    duration(d.downtimeSeconds),
    pct(d.errorBudgetLeftPercent, 1),
    d.requests,
    pct(d.errorRatePercent, 2),
    d.promptTokens,
    d.completionTokens,
    ms(d.ttftMs),
    ms(d.tpotMs),
  ];
  return `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`;
}

export function reportHtml(r: OpsReport): string {
  const charts = reportCharts(r);
  const incidents = r.total.incidents
    .map((i) => `<tr>${[i.deployment, i.start, i.end ?? 'ongoing', duration(i.durationSeconds), i.kind, i.cause].map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('');
  const keys = r.keys.map((k) => `<tr>${[k.keyId ?? '(no key)', k.requests, k.errors, k.promptTokens, k.completionTokens].map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('');
  const met = (ok: boolean | null) => (ok === null ? '' : ok ? ' class="met"' : ' class="missed"');
  const availabilityMet = r.total.availabilityPercent === null ? null : r.total.availabilityPercent >= r.slo.availabilityPercent;
  const ttftMet = r.total.ttftMs.p95 === null ? null : r.total.ttftMs.p95 <= r.slo.ttftP95Ms;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Operations report ${escape(r.month)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'${charts.scriptSrc}">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}th{background:#f3f3f3}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem}.kpi b{display:block;font-size:1.4rem}
.met b{color:#11772d}.missed b{color:#b3261e}.note{color:#555;font-size:12px}
@media print{body{margin:1cm}h2{break-after:avoid}table,tr,.chart{break-inside:avoid}}
${charts.css}
</style></head><body>
<h1>Operations report — ${escape(r.month)}</h1>
<p class="note">${escape(r.from)} to ${escape(r.to)} (times UTC; month in ${escape(r.timeZone)}; availability counted ${escape(countedWhen(r))}); generated ${escape(r.generatedAt)}.</p>
<div class="kpis">
<div class="kpi"${met(availabilityMet)}>Availability<b>${escape(pct(r.total.availabilityPercent))}</b>target ${escape(r.slo.availabilityPercent)} %</div>
<div class="kpi"${met(ttftMet)}>Time to first token p95<b>${escape(r.total.ttftMs.p95 ?? '—')} ms</b>target ${escape(r.slo.ttftP95Ms)} ms</div>
<div class="kpi">Error rate<b>${escape(pct(r.total.errorRatePercent, 2))}</b>target ${escape(r.slo.errorRatePercent)} %</div>
<div class="kpi">Requests<b>${escape(r.total.requests)}</b>${escape(r.total.promptTokens + r.total.completionTokens)} tokens</div>
</div>
${charts.body}
<h2>Deployments</h2>
<table><thead><tr><th>Deployment</th><th>Availability</th><th>Downtime</th><th>Error budget left</th><th>Requests</th><th>Error rate</th><th>Prompt tokens</th><th>Completion tokens</th><th>TTFT p50/p95/p99 ms</th><th>Time per token p50/p95/p99 ms</th></tr></thead>
<tbody>${r.deployments.map((d) => deploymentRow(d.deployment, d)).join('')}${deploymentRow('Total', r.total)}</tbody></table>
<h2>Downtime incidents</h2>
${incidents ? `<table><thead><tr><th>Deployment</th><th>Start</th><th>End</th><th>Duration</th><th>Kind</th><th>Cause</th></tr></thead><tbody>${incidents}</tbody></table>` : '<p>None.</p>'}
<h2>Energy and cost</h2>
<table><tbody>
<tr><th>GPU energy (measured power, ${escape(Math.round(r.energy.gpuMeasuredSeconds))} s sampled)</th><td>${escape(r.energy.gpuKwh.toFixed(3))} kWh</td></tr>
<tr><th>CPU energy (estimate: TDP × utilisation)</th><td>${r.energy.cpuKwhEstimate === null ? 'not estimated (no CPU TDP set)' : `${escape(r.energy.cpuKwhEstimate.toFixed(3))} kWh`}</td></tr>
<tr><th>Energy cost + hardware amortisation</th><td>${escape(r.energy.energyCost.toFixed(2))} + ${escape(r.energy.amortisation.toFixed(2))} = ${escape(r.energy.total.toFixed(2))} ${escape(r.energy.currency)}</td></tr>
<tr><th>Cost per million tokens</th><td>${r.energy.perMillionTokens === null ? '—' : `${escape(r.energy.perMillionTokens.toFixed(2))} ${escape(r.energy.currency)}`}${r.energy.referencePerMillionTokens === null ? '' : ` (public API reference: ${escape(r.energy.referencePerMillionTokens.toFixed(2))}; these tokens there: ${escape(r.energy.referenceCost?.toFixed(2))} ${escape(r.energy.currency)})`}</td></tr>
</tbody></table>
<h2>Alerts</h2>
${r.alerts.length ? `<table><thead><tr><th>Time</th><th>Deployment</th><th>Alert</th><th>Reason</th></tr></thead><tbody>${r.alerts.map((a) => `<tr>${[a.time, a.deployment, a.kind, a.reason].map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>` : '<p>None.</p>'}
<h2>Usage per API key</h2>
<table><thead><tr><th>Key id</th><th>Requests</th><th>Errors</th><th>Prompt tokens</th><th>Completion tokens</th></tr></thead><tbody>${keys}</tbody></table>
${r.rolledUpDays > 0 ? `<p class="note">${escape(r.rolledUpDays)} days are past the retention: their counts and tokens are included; their latencies come from per-day histograms (each percentile within ±1 %).</p>` : ''}
</body></html>
`;
}
