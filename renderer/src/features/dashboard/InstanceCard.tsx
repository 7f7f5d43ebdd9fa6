import type { EngineFacts, InstanceInfo } from '../../../../electron/contract/index.js';
import { Sparkline, Stat } from '../../components/ui.js';
import { formatBytes } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { instanceStopRequested } from './actions.js';
import { instanceDevices } from './selectors.js';

export const STATE_LABEL: Record<string, string> = { starting: 'Starting…', ready: 'Ready', stopping: 'Stopping…', stopped: 'Stopped', failed: 'Failed' };

export function InstanceCard({ instance: i, facts, rates }: { instance: InstanceInfo; facts: EngineFacts | undefined; rates: number[] }) {
  // What the engine reported (trace logs) wins; otherwise what the planner placed it with.
  const reported = instanceDevices(facts);
  const devices = reported.length ? reported : (i.placement?.devices.map((d) => d.id) ?? []);
  const reportedBytes = facts ? facts.totals.modelBytes + facts.totals.kvBytes + facts.totals.computeBytes : 0;
  const memory = reportedBytes || (i.placement?.devices.reduce((sum, d) => sum + d.totalBytes, 0) ?? null);
  const slots = facts?.slots ?? i.placement?.parallel ?? null;
  return (
    <article className="card instance" data-testid={`instance-${i.id}`} data-state={i.state} aria-label={`Model ${i.modelId}`}>
      <header className="card-head">
        <strong>{i.modelId}</strong>
        <span className={`badge state-${i.state}`}>{STATE_LABEL[i.state] ?? i.state}</span>
      </header>
      {i.reason && <p className="reason error">{i.reason}</p>}
      {!!i.hangs && (
        <p className="warn small" data-testid={`instance-hangs-${i.id}`}>
          Stopped answering {i.hangs === 1 ? 'once' : `${i.hangs} times`}: killed and restarted (see its log).
        </p>
      )}
      {i.placement && <p className="placement-summary">{i.placement.summary}</p>}
      <div className="stats">
        <Stat label="Devices">{devices.length ? devices.join(', ') : '—'}</Stat>
        <Stat label="Memory">{memory ? formatBytes(memory) : '—'}</Stat>
        <Stat label="Slots">{slots ?? '—'}</Stat>
        <Stat label="Restarts">{i.restarts}</Stat>
      </div>
      <div className="rate">
        <span className="stat-label">Tokens/s per answer</span>
        <Sparkline values={rates} label={`${i.modelId} tokens per second`} />
        {rates.length > 0 && <span className="rate-last">{rates[rates.length - 1]!.toFixed(0)} tok/s</span>}
      </div>
      <footer className="card-actions">
        <a className="btn small" href={href('chat', { model: i.modelId })}>
          Chat
        </a>
        <a className="btn small" href={href('logs', { instance: i.id })}>
          Logs
        </a>
        {i.state !== 'stopped' && (
          <button type="button" className="btn small" onClick={() => void instanceStopRequested(i.id)}>
            Unload
          </button>
        )}
      </footer>
    </article>
  );
}
