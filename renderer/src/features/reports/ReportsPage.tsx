// Reports: a month's availability against the SLO, downtime incidents with causes, latency,
// errors and usage per deployment and API key; CSV export and the printable page.
import { useEffect, useMemo } from 'react';
import { countedWhen, type OpsReport } from '../../../../electron/contract/index.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { EmptyState, ErrorNote, Stat } from '../../components/ui.js';
import { exportRequested, monthOpened, pdfRequested } from './actions.js';
import { DailyChart } from './DailyChart.js';
import { dailySeries, duration, msTriple, percent, recentMonths } from './selectors.js';
import { useReports } from './store.js';

type Row<K extends 'deployments' | 'alerts' | 'keys'> = OpsReport[K][number];

const DEPLOYMENT_COLUMNS: Column<Row<'deployments'>>[] = [
  { header: 'Deployment', cell: (d) => d.deployment },
  { header: 'Availability', cell: (d) => percent(d.availabilityPercent) },
  { header: 'Downtime', cell: (d) => duration(d.downtimeSeconds) },
  { header: 'Error budget left (downtime / errors)', cell: (d) => `${percent(d.errorBudgetLeftPercent, 1)} / ${percent(d.errorRateBudgetLeftPercent, 1)}` },
  { header: 'Requests', cell: (d) => d.requests },
  { header: 'Error rate (target)', cell: (d) => `${percent(d.errorRatePercent, 2)} (${d.slo.errorRatePercent} %)` },
  { header: 'Tokens in / out', cell: (d) => `${d.promptTokens} / ${d.completionTokens}` },
  { header: 'TTFT p50/p95/p99 ms', cell: (d) => msTriple(d.ttftMs) },
  { header: 'Per token p50/p95/p99 ms', cell: (d) => msTriple(d.tpotMs) },
];

const INCIDENT_COLUMNS: Column<OpsReport['total']['incidents'][number]>[] = [
  { header: 'Deployment', cell: (i) => i.deployment },
  { header: 'Start', cell: (i) => i.start },
  { header: 'End', cell: (i) => i.end ?? 'ongoing' },
  { header: 'Duration', cell: (i) => duration(i.durationSeconds) },
  { header: 'Kind', cell: (i) => i.kind },
  { header: 'Cause', cell: (i) => i.cause ?? '—' },
];

const ALERT_COLUMNS: Column<Row<'alerts'>>[] = [
  { header: 'Time', cell: (a) => a.time },
  { header: 'Deployment', cell: (a) => a.deployment },
  { header: 'Alert', cell: (a) => a.kind },
  { header: 'Reason', cell: (a) => a.reason ?? '—' },
];

const KEY_COLUMNS: Column<Row<'keys'>>[] = [
  { header: 'Key id', cell: (k) => k.keyId ?? '(no key)' },
  { header: 'Requests', cell: (k) => k.requests },
  { header: 'Errors', cell: (k) => k.errors },
  { header: 'Prompt tokens', cell: (k) => k.promptTokens },
  { header: 'Completion tokens', cell: (k) => k.completionTokens },
];

function Figures({ r }: { r: OpsReport }) {
  const series = useMemo(() => dailySeries(r), [r]);
  const range = useMemo((): [number, number] => [Date.parse(r.from) / 1000, Date.parse(`${r.month}-01T00:00:00Z`) / 1000 + 31 * 86_400], [r]);
  return (
    <>
      <section className="card" aria-label="Service level">
        <div className="stats">
          <Stat label={`Availability (target ${r.slo.availabilityPercent} %)`}>{percent(r.total.availabilityPercent)}</Stat>
          <Stat label={`TTFT p95 (target ${r.slo.ttftP95Ms} ms)`}>{r.total.ttftMs.p95 === null ? '—' : `${r.total.ttftMs.p95} ms`}</Stat>
          <Stat label={`Error rate (target ${r.slo.errorRatePercent} %)`}>{percent(r.total.errorRatePercent, 2)}</Stat>
          <Stat label="Requests">{r.total.requests}</Stat>
        </div>
        <p className="muted" data-testid="reports-counted">
          Availability counted {countedWhen(r)}; month in {r.timeZone}.
        </p>
        {r.daily.length > 0 && <DailyChart data={series} range={range} />}
      </section>
      <section className="card">
        <h2>Deployments</h2>
        <DataTable label="Deployments" testId="reports-deployments" rows={r.deployments} rowKey={(d) => d.deployment} columns={DEPLOYMENT_COLUMNS} />
      </section>
      <section className="card">
        <h2>Downtime incidents</h2>
        {r.total.incidents.length === 0 ? (
          <p>None this month.</p>
        ) : (
          <DataTable label="Downtime incidents" testId="reports-incidents" rows={r.total.incidents} rowKey={(i) => `${i.deployment}-${i.start}`} columns={INCIDENT_COLUMNS} />
        )}
      </section>
      <section className="card" data-testid="reports-energy">
        <h2>Energy and cost</h2>
        <div className="stats">
          <Stat label="GPU energy (measured)">{`${r.energy.gpuKwh.toFixed(3)} kWh`}</Stat>
          <Stat label="CPU energy (estimate)">{r.energy.cpuKwhEstimate === null ? 'set a CPU TDP' : `${r.energy.cpuKwhEstimate.toFixed(3)} kWh`}</Stat>
          <Stat label="Cost (energy + amortisation)">{`${r.energy.total.toFixed(2)} ${r.energy.currency}`}</Stat>
          <Stat label="Per million tokens">{r.energy.perMillionTokens === null ? '—' : `${r.energy.perMillionTokens.toFixed(2)} ${r.energy.currency}`}</Stat>
          <Stat label="Public API reference per million">{r.energy.referencePerMillionTokens === null ? 'not set' : `${r.energy.referencePerMillionTokens.toFixed(2)} ${r.energy.currency}`}</Stat>
        </div>
      </section>
      <section className="card">
        <h2>Alerts</h2>
        {r.alerts.length === 0 ? (
          <p>None this month.</p>
        ) : (
          <DataTable label="Alerts" testId="reports-alerts" rows={r.alerts} rowKey={(a) => `${a.deployment}-${a.time}-${a.kind}`} columns={ALERT_COLUMNS} />
        )}
      </section>
      <section className="card">
        <h2>Usage per API key</h2>
        <DataTable label="Usage per API key" testId="reports-keys" rows={r.keys} rowKey={(k) => k.keyId ?? '-'} columns={KEY_COLUMNS} />
      </section>
    </>
  );
}

export function ReportsPage() {
  const { month, report, loading, error } = useReports();
  useEffect(() => void monthOpened(useReports.getState().month), []);
  return (
    <main className="page" aria-labelledby="page-title" data-testid="reports-page">
      <div className="card-head">
        <h1 id="page-title">Reports</h1>
        <div className="card-actions">
          <label>
            Month{' '}
            <select value={month} onChange={(e) => void monthOpened(e.target.value)} data-testid="reports-month">
              {recentMonths().map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={() => void exportRequested('csv')}>
            Export CSV
          </button>
          <button type="button" className="btn" onClick={() => void exportRequested('html')}>
            Printable report
          </button>
          {window.llamaOrch && (
            <button type="button" className="btn" onClick={() => void pdfRequested()} data-testid="reports-pdf">
              Save as PDF
            </button>
          )}
        </div>
      </div>
      <ErrorNote message={error} />
      {loading && !report ? (
        <p>Loading…</p>
      ) : report && report.total.requests === 0 && report.deployments.length === 0 ? (
        <EmptyState title="Nothing recorded this month">Requests, engine restarts and outages are recorded as they happen and show here.</EmptyState>
      ) : report ? (
        <Figures r={report} />
      ) : null}
    </main>
  );
}
