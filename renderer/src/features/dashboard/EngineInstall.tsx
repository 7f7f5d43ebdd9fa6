import { ProgressBar } from '../../components/ui.js';
import { formatBytes, formatDuration, formatRate } from '../../lib/format.js';
import { useDashboard } from './store.js';

/** Progress of an engine installation started from the checklist. */
export function EngineInstall() {
  const job = useDashboard((s) => s.engineInstall);
  if (!job) return null;
  const p = job.progress;
  return (
    <div className="engine-install" data-testid="engine-install" data-state={p?.state ?? 'starting'}>
      {job.reason && <p className="muted small">{job.reason}</p>}
      {p && (
        <>
          <ProgressBar label="Engine download" value={p.bytes} max={p.totalBytes} />
          <p className="muted small">
            {p.state === 'running' ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} · ${formatRate(p.bytesPerSecond)} · ${formatDuration(p.etaSeconds)} left` : p.state === 'done' ? 'Engine installed.' : p.state}
          </p>
        </>
      )}
      {job.error && (
        <p role="alert" className="error">
          The engine could not be installed: {job.error}
        </p>
      )}
    </div>
  );
}
