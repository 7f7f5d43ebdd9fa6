// Engine upgrades (Settings → Engines): the default engine, a staging check of another engine against
// the saved deployments with its report as a table (a verdict per deployment), promote and roll back.
import { useState } from 'react';
import type { EngineCheckReport } from '../../../../electron/contract/index.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ErrorNote } from '../../components/ui.js';
import { engineCheckRequested, engineDefaultChosen, enginePromoteRequested, engineRollbackRequested } from './actions.js';
import { useSettings } from './store.js';

const VERDICT: Record<EngineCheckReport['verdict'], string> = { pass: 'pass', differs: 'differs', slower: 'slower', fails_to_load: 'fails to load' };

type CheckResult = EngineCheckReport['results'][number];

const CHECK_COLUMNS: Column<CheckResult>[] = [
  { header: 'Deployment', rowHeader: true, cell: (r) => r.deployment },
  { header: 'Verdict', cell: (r) => <span className={`badge ${r.verdict === 'pass' ? 'state-ready' : 'state-failed'}`}>{VERDICT[r.verdict]}</span> },
  { header: 'Load', cell: (r) => (r.candidate.loadMs === null ? '—' : `${r.candidate.loadMs} ms`) },
  { header: 'Generation', cell: (r) => (r.genTpsRatio === null ? '—' : `${r.genTpsRatio}×`) },
  { header: 'Detail', className: 'small', cell: (r) => r.summary },
];

function ReportTable({ report }: { report: EngineCheckReport }) {
  return (
    <DataTable
      label={`Check of ${report.candidate}`}
      testId="engine-check-report"
      compact
      caption={
        <>
          {report.candidate} against {report.current}, {new Date(report.finishedAt).toLocaleString()}: <strong>{VERDICT[report.verdict]}</strong>
        </>
      }
      rows={report.results}
      columns={CHECK_COLUMNS}
      rowKey={(r) => r.deployment}
      rowProps={(r) => ({ 'data-testid': `check-${r.deployment}` })}
    />
  );
}

export function EngineUpgradesSection() {
  const engines = useSettings((s) => s.engines);
  const { defaults, report, busy, result } = useSettings((s) => s.upgrade);
  const [candidate, setCandidate] = useState('');
  const current = defaults?.defaultEngine ?? null;
  const others = (engines?.data ?? []).filter((e) => e.id !== current);
  const chosen = candidate || others[0]?.id || '';
  const previous = defaults?.history[0]?.engine === current ? defaults?.history[0]?.previous : null;
  const reportOfChosen = report?.candidate === chosen ? report : null;
  return (
    <section className="card settings-section" aria-labelledby="engine-upgrades-title" data-testid="settings-engine-upgrades">
      <h2 id="engine-upgrades-title">Default engine and upgrades</h2>
      <p className="muted">
        Models run on the default engine unless a deployment names its own: <strong data-testid="default-engine">{current ?? 'none set (the newest installed)'}</strong>. Installing an engine never
        changes it. Check another engine against your deployments first, then switch; each running model keeps serving until its new engine is ready.
      </p>
      {others.length > 0 && (
        <div className="inline-form">
          <label className="inline-field">
            <span>Engine</span>
            <select value={chosen} onChange={(e) => setCandidate(e.target.value)} data-testid="upgrade-candidate">
              {others.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.id}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" disabled={busy !== null} onClick={() => void engineCheckRequested(chosen)} data-testid="engine-check">
            Check
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={busy !== null || reportOfChosen === null || reportOfChosen.verdict === 'fails_to_load'}
            onClick={() => void enginePromoteRequested(chosen)}
            data-testid="engine-promote"
            title="Needs a check that loads on every deployment"
          >
            Switch to it
          </button>
          <button type="button" className="btn" disabled={busy !== null} onClick={() => void engineDefaultChosen(chosen)} data-testid="engine-make-default">
            Make default at next start
          </button>
        </div>
      )}
      {previous && (
        <button type="button" className="btn" disabled={busy !== null} onClick={() => void engineRollbackRequested()} data-testid="engine-rollback">
          Roll back to {previous}
        </button>
      )}
      {busy && (
        <p role="status" className="muted">
          {busy}
        </p>
      )}
      {result &&
        (result.ok ? (
          <p role="status" className="ok" data-testid="engine-upgrade-result">
            {result.message}
          </p>
        ) : (
          <ErrorNote message={result.message} />
        ))}
      {report && <ReportTable report={report} />}
    </section>
  );
}
