import type { ProgressEvent } from '../../../electron/contract/index.js';
import { formatBytes, formatDuration, formatRate } from '../lib/format.js';
import { ProgressBar } from './ui.js';

export interface EngineInstallJobView {
  reason: string | null;
  progress: ProgressEvent | null;
  error: string | null;
}

/** Progress (or failure) of an engine installation: the same view on the dashboard and in settings. */
export function EngineInstallProgress({ job, testId }: { job: EngineInstallJobView | null; testId: string }) {
  if (!job) return null;
  const p = job.progress;
  return (
    <div className="engine-install" data-testid={testId} data-state={job.error ? 'failed' : (p?.state ?? 'starting')}>
      {job.reason && <p className="muted small">{job.reason}</p>}
      {p && !job.error && (
        <>
          <ProgressBar label="Engine download" value={p.bytes} max={p.totalBytes} />
          <p className="muted small">
            {p.state === 'running'
              ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} · ${formatRate(p.bytesPerSecond)} · ${formatDuration(p.etaSeconds)} left`
              : p.state === 'done'
                ? 'Engine installed.'
                : p.state}
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
