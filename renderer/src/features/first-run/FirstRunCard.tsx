// The first-run screen: shown on the dashboard while the library is empty (until put away). It lists the
// catalogue models that fit this machine with the planner's verdict, recommends one, and sets it up in
// one click; in offline mode it says so and points to the offline kit instead.
import { useEffect } from 'react';
import type { CatalogModelView, CatalogResponse } from '../../../../electron/contract/index.js';
import { MemoryBar, ProgressBar } from '../../components/ui.js';
import { firstRunDismissed as wasDismissed } from '../../lib/first-run.js';
import { formatBytes, formatDuration, formatRate } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { firstRunDismissed, firstRunOpened, setupRequested } from './actions.js';
import { useFirstRun, type SetupJob } from './store.js';

const FIT_WORDS: Record<NonNullable<CatalogModelView['fit']>, string> = {
  gpu: 'runs on the GPU',
  split: 'runs split over the GPUs',
  partial: 'partly on the GPU (slower)',
  cpu: 'runs on the CPU',
};

function Entry({ m, memory, recommended, busy }: { m: CatalogModelView; memory: CatalogResponse['memory']; recommended: boolean; busy: boolean }) {
  return (
    <li className={`card catalog-entry${recommended ? ' recommended' : ''}`} data-testid={`catalog-${m.id}`}>
      <div className="section-head">
        <strong>
          {m.name} {recommended && <span className="badge state-ready">Recommended</span>}
        </strong>
        <button type="button" className={`btn small${recommended ? ' primary' : ''}`} disabled={busy} onClick={() => void setupRequested(m)} data-testid={`catalog-get-${m.id}`}>
          Get {m.name}
        </button>
      </div>
      <p className="muted small">
        {formatBytes(m.sizeBytes)} · {m.quant} · {FIT_WORDS[m.fit!]}
        {m.contextSize ? ` · ${m.contextSize.toLocaleString()} tokens of context` : ''} · licence: {m.licence}
      </p>
      {m.reason && <p className="muted small">{m.reason}</p>}
      <MemoryBar total={memory.totalBytes} segments={[{ label: m.name, bytes: m.sizeBytes, tone: 'seg-new' }]} label={`${m.name} in ${memory.kind === 'gpu' ? 'GPU memory' : 'RAM'}`} />
    </li>
  );
}

function SetupProgress({ job, name }: { job: SetupJob; name: string }) {
  const p = job.progress;
  const what = job.phase === 'engine' ? 'Installing the engine…' : job.phase === 'model' ? `Downloading ${name}…` : job.phase === 'done' ? `${name} is ready.` : null;
  return (
    <div className="first-run-job" data-testid="first-run-job" data-phase={job.phase}>
      {what && <p>{what}</p>}
      {(job.phase === 'engine' || job.phase === 'model') && (
        <>
          <ProgressBar label={job.phase === 'engine' ? 'Engine download' : `Download of ${name}`} value={p?.bytes ?? 0} max={p?.totalBytes ?? null} />
          {p?.state === 'running' && (
            <p className="muted small">
              {formatBytes(p.bytes)} of {formatBytes(p.totalBytes)} · {formatRate(p.bytesPerSecond)} · {formatDuration(p.etaSeconds)} left
            </p>
          )}
        </>
      )}
      {job.error && (
        <p role="alert" className="error">
          {job.error}
        </p>
      )}
    </div>
  );
}

export function FirstRunCard() {
  const { libraryEmpty, catalog, catalogError, offline, job } = useFirstRun();
  useEffect(() => firstRunOpened(), []);
  if (libraryEmpty !== true || wasDismissed()) return null;
  // The setup ends in the chat: only chat models are offered here (embedding models come from Models).
  const chat = (catalog?.models ?? []).filter((m) => m.roles.includes('chat'));
  const fitting = chat.filter((m) => m.fit !== null);
  const rest = chat.filter((m) => m.fit === null);
  fitting.sort((a, b) => Number(b.id === catalog?.recommended) - Number(a.id === catalog?.recommended));
  const busy = job !== null && (job.phase === 'engine' || job.phase === 'model');
  return (
    <section className="card first-run" aria-labelledby="first-run-title" data-testid="first-run">
      <div className="section-head">
        <h2 id="first-run-title">Welcome: pick a first model</h2>
        <button type="button" className="btn ghost small" onClick={firstRunDismissed} disabled={busy} data-testid="first-run-dismiss">
          Not now
        </button>
      </div>
      {offline ? (
        <p role="status" data-testid="first-run-offline">
          Offline mode is on: nothing is downloaded. Bring the engine and models on an offline kit instead: <a href={href('settings')}>Settings → Offline kit</a>.
        </p>
      ) : (
        <p className="muted">These well-known open models fit this computer. One click installs the engine if needed, downloads the model and opens the chat.</p>
      )}
      {catalogError && (
        <p role="alert" className="error">
          The catalogue could not be read: {catalogError}
        </p>
      )}
      {job && <SetupProgress job={job} name={catalog?.models.find((m) => m.id === job.entryId)?.name ?? job.entryId} />}
      {catalog && !offline && (
        <ul className="catalog-list">
          {fitting.map((m) => (
            <Entry key={m.id} m={m} memory={catalog.memory} recommended={m.id === catalog.recommended} busy={busy} />
          ))}
        </ul>
      )}
      {catalog && fitting.length === 0 && <p className="warn">None of the catalogue models fits this computer.</p>}
      {rest.length > 0 && (
        <details>
          <summary className="muted small">{rest.length} more that do not fit here</summary>
          <ul className="muted small">
            {rest.map((m) => (
              <li key={m.id} data-testid={`catalog-nofit-${m.id}`}>
                {m.name} ({formatBytes(m.sizeBytes)}): {m.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
