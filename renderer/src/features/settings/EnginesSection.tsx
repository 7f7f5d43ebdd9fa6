// Installed engines (llama-server builds): list, install with progress, remove with confirmation.
import { useState, type FormEvent } from 'react';
import { EngineInstallProgress } from '../../components/EngineInstallProgress.js';
import type { EngineInfo } from '../../../../electron/contract/index.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ConfirmDialog, EmptyState, ErrorNote } from '../../components/ui.js';
import { engineInstallRequested, engineRemoveConfirmed } from './actions.js';
import { EngineArchiveImport } from './EngineArchiveImport.js';
import { useSettings } from './store.js';

const BACKENDS = [
  ['', 'the best for this computer'],
  ['cpu', 'CPU only'],
  ['cuda', 'NVIDIA (CUDA)'],
  ['vulkan', 'Vulkan (most GPUs)'],
  ['rocm', 'AMD (ROCm)'],
  ['metal', 'Apple (Metal)'],
] as const;

function devicesText(e: EngineInfo): string {
  if (e.devices.length === 0) return 'CPU';
  return e.devices.map((d) => d.name || d.id).join(', ');
}

function columns(defaultEngine: string | null, onRemove: (id: string) => void): Column<EngineInfo>[] {
  return [
    {
      header: 'Engine',
      rowHeader: true,
      cell: (e) => (
        <>
          <span className="nowrap">{e.id}</span>
          {e.id === defaultEngine && <span className="badge state-ready"> default</span>}
          <div className="muted small mono" title={e.binary}>
            {e.variant ?? 'copied in by hand'}
          </div>
        </>
      ),
    },
    { header: 'Release', cell: (e) => e.tag ?? '—' },
    { header: 'Version', className: 'small', cell: (e) => e.version ?? '—' },
    { header: 'Devices', cell: devicesText },
    { header: 'Installed', cell: (e) => (e.installedAt ? new Date(e.installedAt).toLocaleDateString() : '—') },
    { header: 'Use', cell: (e) => (e.inUseBy.length > 0 ? <span className="badge state-ready">in use by {e.inUseBy.join(', ')}</span> : <span className="muted">idle</span>) },
    {
      header: 'Actions',
      hiddenHeader: true,
      cell: (e) => (
        <button type="button" className="btn small danger" onClick={() => onRemove(e.id)} aria-label={`Remove engine ${e.id}`}>
          Remove
        </button>
      ),
    },
  ];
}

function InstallProgress() {
  const job = useSettings((s) => s.engineInstall);
  return <EngineInstallProgress job={job} testId="settings-engine-install" />;
}

export function EnginesSection() {
  const { engines, enginesError, engineInstall, engineRemoval } = useSettings();
  const [backend, setBackend] = useState('');
  const [tag, setTag] = useState('');
  const [confirm, setConfirm] = useState<string | null>(null);
  const installing = engineInstall !== null && !engineInstall.error && (engineInstall.progress === null ? engineInstall.jobId === null : engineInstall.progress.state === 'running');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void engineInstallRequested({ ...(backend ? { variant: backend } : {}), ...(tag.trim() ? { tag: tag.trim() } : {}) });
  };
  return (
    <section className="card settings-section" aria-labelledby="engines-title" data-testid="settings-engine-list">
      <h2 id="engines-title">Engines</h2>
      <p className="muted">The llama.cpp server programs that run the models. Several can be installed; models run on the default engine (below).</p>
      <ErrorNote message={enginesError && `Engines could not be listed: ${enginesError}`} />
      {engines && engines.data.length === 0 && (
        <EmptyState title="No engine installed.">
          Install one below, or import an archive (below, or <code>llama-orch engines import</code>).
        </EmptyState>
      )}
      {engines && engines.data.length > 0 && (
        <DataTable
          label="Installed engines"
          compact
          rows={engines.data}
          columns={columns(engines.defaultEngine ?? null, setConfirm)}
          rowKey={(e) => e.id}
          rowProps={(e) => ({ 'data-testid': `engine-${e.id}` })}
        />
      )}
      {engineRemoval && (
        <p role={engineRemoval.ok ? 'status' : 'alert'} className={engineRemoval.ok ? 'ok' : 'error'} data-testid="engine-removal">
          {engineRemoval.message}
        </p>
      )}
      <form className="inline-form" onSubmit={submit} aria-label="Install an engine">
        <label className="inline-field">
          <span>Build for</span>
          <select value={backend} onChange={(e) => setBackend(e.target.value)} data-testid="engine-backend">
            {BACKENDS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Release</span>
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder={engines?.defaultTag ?? 'default'} data-testid="engine-tag" spellCheck={false} />
        </label>
        <button type="submit" className="btn primary" disabled={installing} data-testid="engine-install">
          {installing ? 'Installing…' : 'Install engine'}
        </button>
      </form>
      <InstallProgress />
      <EngineArchiveImport />
      <ConfirmDialog subject={confirm} title="Remove engine" action="Remove" testId="engine-remove-confirm" onClose={() => setConfirm(null)} onConfirm={(id) => void engineRemoveConfirmed(id)}>
        <p>
          Remove <strong>{confirm}</strong> from this computer? Models keep working with another installed engine; without one, nothing can be loaded.
        </p>
      </ConfirmDialog>
    </section>
  );
}
