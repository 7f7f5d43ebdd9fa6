import { useState, type FormEvent } from 'react';
import { ErrorNote, ProgressBar } from '../../components/ui.js';
import { formatBytes, formatCount, formatDuration, formatRate } from '../../lib/format.js';
import { downloadCancelRequested, downloadPauseRequested, downloadRequested, downloadResumeRequested, searchSubmitted } from './actions.js';
import { fitHint } from './selectors.js';
import { useModels } from './store.js';

export function GetModels() {
  const { search, hardware } = useModels();
  const [query, setQuery] = useState(search.query);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (query.trim()) void searchSubmitted(query.trim());
  };
  return (
    <section className="section" aria-label="Get models">
      <h2>Get models</h2>
      <form className="inline-form" onSubmit={submit} role="search">
        <label className="visually-hidden" htmlFor="hub-q">
          Search Hugging Face
        </label>
        <input id="hub-q" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search Hugging Face, e.g. qwen 0.5b instruct" />
        <button type="submit" className="btn" disabled={search.busy}>
          {search.busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ErrorNote message={search.error} />
      {search.hits && search.hits.length === 0 && <p className="muted">Nothing found for "{search.query}". Try fewer words.</p>}
      {search.hits?.map((hit) => (
        <details key={hit.repo} className="card hit">
          <summary>
            <strong>{hit.repo}</strong>
            <span className="muted small">
              {' '}
              · {formatCount(hit.downloads)} downloads · {hit.files.length} files
            </span>
          </summary>
          <table className="table compact" aria-label={`Files of ${hit.repo}`}>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Quant</th>
                <th scope="col">Size</th>
                <th scope="col">Fit here</th>
                <th scope="col">
                  <span className="visually-hidden">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {hit.files.map((f) => {
                const fit = fitHint(f.sizeBytes, hardware);
                return (
                  <tr key={f.name}>
                    <td className="mono">{f.name}</td>
                    <td>{f.quant ?? '—'}</td>
                    <td>{formatBytes(f.sizeBytes)}</td>
                    <td>
                      <span className={`fit fit-${fit.tone}`}>{fit.text}</span>
                    </td>
                    <td>
                      <button type="button" className="btn small primary" onClick={() => void downloadRequested({ repo: hit.repo, file: f.name })}>
                        Download
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </details>
      ))}
    </section>
  );
}

export function Downloads() {
  const downloads = Object.values(useModels((s) => s.downloads));
  if (downloads.length === 0) return null;
  return (
    <section className="section" aria-label="Downloads">
      <h2>Downloads</h2>
      <ul className="downloads">
        {downloads.map((d) => {
          const p = d.progress;
          const state = d.paused ? 'paused' : (p?.state ?? 'running');
          return (
            <li key={d.id} className="card" data-testid={`download-${d.id}`} data-state={state}>
              <div className="section-head">
                <strong>{p?.label ?? d.request.file ?? d.request.repo}</strong>
                <span className="muted small">
                  {state === 'running' && p ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} · ${formatRate(p.bytesPerSecond)} · ${formatDuration(p.etaSeconds)} left` : state}
                </span>
              </div>
              <ProgressBar label={`Download of ${d.request.repo}`} value={p?.bytes ?? 0} max={p?.totalBytes ?? null} />
              {p?.error && <p className="error">{p.error}</p>}
              <div className="card-actions">
                {state === 'running' && (
                  <button type="button" className="btn small" onClick={() => void downloadPauseRequested(d.id)}>
                    Pause
                  </button>
                )}
                {(state === 'paused' || state === 'failed' || state === 'cancelled') && (
                  <button type="button" className="btn small" onClick={() => void downloadResumeRequested(d.id)}>
                    {state === 'paused' ? 'Resume' : 'Retry'}
                  </button>
                )}
                <button type="button" className="btn small" onClick={() => void downloadCancelRequested(d.id)}>
                  {state === 'done' ? 'Dismiss' : state === 'paused' || state === 'failed' ? 'Discard' : 'Cancel'}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
