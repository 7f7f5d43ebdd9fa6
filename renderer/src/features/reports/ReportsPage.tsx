// Reports: a month's availability against the SLO, downtime incidents with causes, latency,
// errors and usage per deployment and API key; CSV export and the printable page.
import { useEffect, useMemo } from 'react';
import { countedWhen, type OpsReport } from '../../../../electron/contract/index.js';
import { EmptyState, ErrorNote, Stat } from '../../components/ui.js';
import { exportRequested, monthOpened, pdfRequested } from './actions.js';
import { DailyChart } from './DailyChart.js';
import { dailySeries, duration, msTriple, percent, recentMonths } from './selectors.js';
import { useReports } from './store.js';

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
        <table className="table" aria-label="Deployments" data-testid="reports-deployments">
          <thead>
            <tr>
              <th>Deployment</th>
              <th>Availability</th>
              <th>Downtime</th>
              <th>Error budget left (downtime / errors)</th>
              <th>Requests</th>
              <th>Error rate (target)</th>
              <th>Tokens in / out</th>
              <th>TTFT p50/p95/p99 ms</th>
              <th>Per token p50/p95/p99 ms</th>
            </tr>
          </thead>
          <tbody>
            {r.deployments.map((d) => (
              <tr key={d.deployment}>
                <td>{d.deployment}</td>
                <td>{percent(d.availabilityPercent)}</td>
                <td>{duration(d.downtimeSeconds)}</td>
                <td>
                  {percent(d.errorBudgetLeftPercent, 1)} / {percent(d.errorRateBudgetLeftPercent, 1)}
                </td>
                <td>{d.requests}</td>
                <td>
                  {percent(d.errorRatePercent, 2)} ({d.slo.errorRatePercent} %)
                </td>
                <td>
                  {d.promptTokens} / {d.completionTokens}
                </td>
                <td>{msTriple(d.ttftMs)}</td>
                <td>{msTriple(d.tpotMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Downtime incidents</h2>
        {r.total.incidents.length === 0 ? (
          <p>None this month.</p>
        ) : (
          <table className="table" aria-label="Downtime incidents" data-testid="reports-incidents">
            <thead>
              <tr>
                <th>Deployment</th>
                <th>Start</th>
                <th>End</th>
                <th>Duration</th>
                <th>Kind</th>
                <th>Cause</th>
              </tr>
            </thead>
            <tbody>
              {r.total.incidents.map((i) => (
                <tr key={`${i.deployment}-${i.start}`}>
                  <td>{i.deployment}</td>
                  <td>{i.start}</td>
                  <td>{i.end ?? 'ongoing'}</td>
                  <td>{duration(i.durationSeconds)}</td>
                  <td>{i.kind}</td>
                  <td>{i.cause ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
          <table className="table" aria-label="Alerts" data-testid="reports-alerts">
            <thead>
              <tr>
                <th>Time</th>
                <th>Deployment</th>
                <th>Alert</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {r.alerts.map((a) => (
                <tr key={`${a.deployment}-${a.time}-${a.kind}`}>
                  <td>{a.time}</td>
                  <td>{a.deployment}</td>
                  <td>{a.kind}</td>
                  <td>{a.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Usage per API key</h2>
        <table className="table" aria-label="Usage per API key" data-testid="reports-keys">
          <thead>
            <tr>
              <th>Key id</th>
              <th>Requests</th>
              <th>Errors</th>
              <th>Prompt tokens</th>
              <th>Completion tokens</th>
            </tr>
          </thead>
          <tbody>
            {r.keys.map((k) => (
              <tr key={k.keyId ?? '-'}>
                <td>{k.keyId ?? '(no key)'}</td>
                <td>{k.requests}</td>
                <td>{k.errors}</td>
                <td>{k.promptTokens}</td>
                <td>{k.completionTokens}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
