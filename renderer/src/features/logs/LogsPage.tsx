import { useEffect, useState } from 'react';
import { EmptyState } from '../../components/ui.js';
import { href, useRoute } from '../../lib/router.js';
import { copyRequested, downloadRequested, instancePicked, logsOpened, tailOpened } from './actions.js';
import { LogView } from './LogView.js';
import { filteredRows, searchMatches } from './selectors.js';
import { LEVELS, useLogs } from './store.js';

export function LogsPage() {
  const route = useRoute();
  const s = useLogs();
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => logsOpened(), []);
  const wanted = route.params.get('instance') ?? s.instances[0]?.id ?? null;
  useEffect(() => (wanted ? tailOpened(wanted) : undefined), [wanted]);

  const rows = filteredRows(s.lines, s.filter, s.levels);
  const matches = searchMatches(s.lines, rows, s.search);
  const move = (d: number) => matches.length && s.matchMoved((s.matchCursor + d + matches.length) % matches.length);

  return (
    <main className="page page-fill" aria-labelledby="page-title">
      <div className="section-head">
        <h1 id="page-title">Logs</h1>
        {s.instances.length > 0 && (
          <label className="inline-field">
            <span>Engine</span>
            <select value={wanted ?? ''} onChange={(e) => instancePicked(e.target.value)} data-testid="log-instance">
              {s.instances.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.modelId} ({i.state})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!wanted ? (
        <EmptyState
          title="No engine is running, so there are no logs to show."
          action={
            <a className="btn primary" href={href('models')}>
              Load a model
            </a>
          }
        >
          Each loaded model runs its own engine; its log appears here live.
        </EmptyState>
      ) : (
        <>
          <div className="toolbar" role="toolbar" aria-label="Log tools">
            <input aria-label="Filter lines" placeholder="Filter lines…" value={s.filter} onChange={(e) => s.filterChanged(e.target.value)} data-testid="log-filter" />
            {LEVELS.map((l) => (
              <label key={l} className={`level-toggle lvl-${l}`}>
                <input type="checkbox" checked={s.levels[l]} onChange={() => s.levelToggled(l)} /> {l}
              </label>
            ))}
            <input aria-label="Search" placeholder="Search…" value={s.search} onChange={(e) => s.searchChanged(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && move(e.shiftKey ? -1 : 1)} />
            {s.search && (
              <span className="muted small" aria-live="polite">
                {matches.length ? `${s.matchCursor + 1} of ${matches.length}` : 'no match'}
              </span>
            )}
            <button type="button" className="btn small" onClick={() => move(-1)} disabled={!matches.length} aria-label="Previous match">
              ↑
            </button>
            <button type="button" className="btn small" onClick={() => move(1)} disabled={!matches.length} aria-label="Next match">
              ↓
            </button>
            <span className="spacer" />
            <button type="button" className="btn small" onClick={s.pauseToggled} aria-pressed={s.paused}>
              {s.paused ? `Resume${s.held.length ? ` (${s.held.length} new)` : ''}` : 'Pause'}
            </button>
            <button type="button" className="btn small" onClick={() => s.followChanged(true)} disabled={s.follow || s.paused}>
              Follow
            </button>
            <button type="button" className="btn small" onClick={() => void copyRequested().then((ok) => setCopied(ok ? 'Copied' : 'Copy failed'))}>
              {copied ?? 'Copy'}
            </button>
            <button type="button" className="btn small" onClick={downloadRequested}>
              Download
            </button>
          </div>
          <p className="muted small" data-testid="log-count" aria-live="polite">
            {s.connected ? `${rows.length.toLocaleString('en')} of ${s.lines.length.toLocaleString('en')} lines` : 'Connecting…'}
          </p>
          {s.connected && s.lines.length === 0 ? <EmptyState title="This engine has not written anything yet." /> : <LogView lines={s.lines} rows={rows} matches={matches} />}
        </>
      )}
    </main>
  );
}
