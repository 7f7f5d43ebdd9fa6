import { useEffect } from 'react';
import { startDashboard } from './actions.js';
import { useDashboard } from './store.js';

const STATE_LABEL: Record<string, string> = { starting: 'Starting…', ready: 'Ready', stopping: 'Stopping…', stopped: 'Stopped', failed: 'Failed' };

export function DashboardPage() {
  const { status, instances, error } = useDashboard();
  useEffect(() => startDashboard(), []);
  const list = Object.values(instances);
  return (
    <main className="page">
      <h1>Dashboard</h1>
      {error && <p role="alert" className="error">Cannot reach the core: {error}</p>}
      {status && (
        <p>
          Local API: <code data-testid="api-url">{status.apiBaseUrl}</code>
        </p>
      )}
      <section aria-label="Engines">
        <h2>Engines</h2>
        {list.length === 0 && <p>No model is loaded yet.</p>}
        <ul className="instances">
          {list.map((i) => (
            <li key={i.id} data-testid={`instance-${i.id}`} data-state={i.state}>
              <strong>{i.modelId}</strong> — <span className={`state state-${i.state}`}>{STATE_LABEL[i.state] ?? i.state}</span>
              {i.reason && <span className="reason"> ({i.reason})</span>}
              {i.restarts > 0 && <span> · {i.restarts} restarts</span>}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
