import type { InstanceInfo } from '../../../../electron/contract/index.js';
import { EmptyState, MemoryBar, Stat } from '../../components/ui.js';
import { formatBytes } from '../../lib/format.js';
import { hardwareRefreshRequested } from './actions.js';
import { gpuSegments } from './selectors.js';
import { useDashboard } from './store.js';

export function HardwareSection({ instances }: { instances: InstanceInfo[] }) {
  const { hardware, live, facts } = useDashboard();
  if (hardware.state === 'loading')
    return (
      <section className="section" aria-busy="true">
        <h2>Hardware</h2>
        <p className="muted">Detecting hardware…</p>
      </section>
    );
  if (hardware.state === 'unavailable')
    return (
      <section className="section">
        <h2>Hardware</h2>
        <EmptyState title="Hardware detection is not available in this version of the core." />
      </section>
    );
  if (hardware.state === 'error')
    return (
      <section className="section">
        <h2>Hardware</h2>
        <p role="alert" className="error">
          Hardware detection failed: {hardware.message}
        </p>
      </section>
    );
  const h = hardware.value;
  return (
    <section className="section" aria-label="Hardware" data-testid="hardware">
      <div className="section-head">
        <h2>Hardware</h2>
        <button type="button" className="btn small" onClick={hardwareRefreshRequested}>
          Detect again
        </button>
      </div>
      <div className="grid">
        <article className="card" data-testid="cpu-card">
          <header className="card-head">
            <strong>{h.cpu.brand ?? 'CPU'}</strong>
            <span className="badge">CPU</span>
          </header>
          <div className="stats">
            <Stat label="Cores">
              {h.cpu.cores ?? '—'} cores, {h.cpu.threads} threads
            </Stat>
            <Stat label="Memory">{formatBytes(h.memory.totalBytes)}</Stat>
            <Stat label="Available">{formatBytes(h.memory.availableBytes)}</Stat>
            <Stat label="AVX2">{h.cpu.avx2 === null ? '—' : h.cpu.avx2 ? 'yes' : 'no'}</Stat>
          </div>
        </article>
        {h.gpus.map((g) => {
          const sample = live?.gpus.find((s) => s.index === g.index);
          const total = sample?.vramTotalBytes ?? g.vramTotalBytes;
          return (
            <article className="card" key={g.index} data-testid={`gpu-${g.index}`}>
              <header className="card-head">
                <strong>{g.name}</strong>
                <span className="badge">GPU {g.index}</span>
              </header>
              <MemoryBar label={`GPU ${g.index} memory`} total={total} segments={gpuSegments(g, sample, instances, facts)} />
              <div className="stats">
                <Stat label="Utilisation">{sample?.utilizationPercent === null || sample === undefined ? '—' : `${sample.utilizationPercent}%`}</Stat>
                <Stat label="Temperature">{sample?.temperatureC == null ? '—' : `${sample.temperatureC} °C`}</Stat>
                <Stat label="Backends">{g.backends.join(', ') || '—'}</Stat>
                <Stat label="Driver">{g.driverVersion ?? '—'}</Stat>
              </div>
            </article>
          );
        })}
      </div>
      {(h.remoteDevices ?? []).length > 0 && (
        <div className="grid" aria-label="Remote devices" data-testid="remote-devices">
          {h.remoteDevices!.map((d) => (
            <article className="card" key={`${d.worker}/${d.id}`} data-testid={`remote-${d.worker}-${d.id}`}>
              <header className="card-head">
                <strong>{d.name}</strong>
                <span className="badge">
                  {d.id} on {d.worker}
                </span>
              </header>
              <div className="stats">
                <Stat label="Memory">{formatBytes(d.totalBytes)}</Stat>
                <Stat label="Free">{formatBytes(d.freeBytes)}</Stat>
                <Stat label="State">{d.usable ? 'usable' : (d.reason ?? 'not usable')}</Stat>
              </div>
            </article>
          ))}
        </div>
      )}
      {h.gpus.length === 0 && (
        <p className="muted" data-testid="no-gpu">
          No GPU was found: models run on the CPU, which works for small models.
        </p>
      )}
      {h.warnings.length > 0 && (
        <details className="warnings">
          <summary>{h.warnings.length} detection notes</summary>
          <ul>
            {h.warnings.map((w, i) => (
              <li key={i}>
                {w.source}: {w.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
