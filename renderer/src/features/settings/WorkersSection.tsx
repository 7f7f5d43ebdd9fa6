// Settings → Workers: other machines lending their devices over llama.cpp RPC (`llama-orch worker`
// there). Lists each with its health and memory, adds and removes them, and says plainly that RPC
// traffic is neither authenticated nor encrypted.
import { useEffect, useState } from 'react';
import { RPC_SECURITY_WARNING, type WorkerView } from '../../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';
import { formatBytes } from '../../lib/format.js';

function WorkerRow({ w, onRemove }: { w: WorkerView; onRemove: () => void }) {
  const state = w.health === 'online' && w.clientConnected ? 'online, in use' : w.health;
  return (
    <li data-testid={`worker-${w.address}`}>
      <strong>{w.address}</strong> <span className={`badge ${w.health === 'online' ? 'ok' : 'error'}`}>{state}</span>
      {w.reason && <span className="muted"> {w.reason}</span>}
      <ul>
        {w.devices.map((d) => (
          <li key={d.id}>
            {d.id} {d.name}: {formatBytes(d.freeBytes)} free of {formatBytes(d.totalBytes)}
          </li>
        ))}
      </ul>
      <button type="button" className="btn small" onClick={onRemove}>
        Remove
      </button>
    </li>
  );
}

export function WorkersSection() {
  const [workers, setWorkers] = useState<WorkerView[] | null>(null);
  const [address, setAddress] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const refresh = () =>
    api.workers().then(
      (r) => setWorkers(r.data),
      (err: unknown) => setResult({ ok: false, message: errorMessage(err) }),
    );
  useEffect(() => {
    // Each check asks every worker's status endpoint (up to 2 s for one that does not answer).
    api.workers().then(
      (r) => setWorkers(r.data),
      (err: unknown) => setResult({ ok: false, message: errorMessage(err) }),
    );
  }, []);
  const act = async (what: () => Promise<unknown>, done: string) => {
    setResult(null);
    try {
      await what();
      setResult({ ok: true, message: done });
      await refresh();
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    }
  };
  return (
    <section className="card settings-section" aria-labelledby="s-workers" data-testid="settings-workers">
      <h2 id="s-workers">Workers (other machines)</h2>
      <p>
        Run <code>llama-orch worker --host &lt;its address&gt;</code> on another machine, then add it here as <code>host:port</code>. Models that do not fit on this machine are split over its devices.
      </p>
      <p role="note" className="warning" data-testid="workers-warning">
        {RPC_SECURITY_WARNING}
      </p>
      {workers && workers.length === 0 && <p className="muted">No workers yet.</p>}
      {workers && workers.length > 0 && (
        <ul className="workers">
          {workers.map((w) => (
            <WorkerRow key={w.address} w={w} onRemove={() => void act(() => api.removeWorker(w.address), `Removed ${w.address}.`)} />
          ))}
        </ul>
      )}
      <label className="field">
        <span>Worker address</span>
        <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="192.168.10.2:50052" data-testid="worker-address" />
      </label>
      <div className="section-foot">
        <button type="button" className="btn primary" disabled={!address.trim()} onClick={() => void act(() => api.addWorker(address.trim()), `Added ${address.trim()}.`)} data-testid="worker-add">
          Add worker
        </button>
        <button type="button" className="btn" onClick={() => void refresh()}>
          Check again
        </button>
        {result && (
          <span role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'}>
            {result.message}
          </span>
        )}
      </div>
    </section>
  );
}
