// Settings → Offline kit: export this computer's engines, models and deployments to a folder (a USB
// stick), or import a kit from one; progress comes from the event stream. The desktop app picks the
// folder with the system dialog; a browser (headless `serve`) has only the typed path.
import { useEffect, useState } from 'react';
import { KIT_PROGRESS_KINDS, type ProgressEvent } from '../../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';

type Action = 'export' | 'import';

export function KitSection() {
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState<Action | null>(null);
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => api.onEvent((ev) => void (ev.type === 'progress' && (ev.kind === KIT_PROGRESS_KINDS.import || ev.kind === KIT_PROGRESS_KINDS.export) && setProgress(ev))), []);
  const run = async (what: Action, folder: string) => {
    setBusy(what);
    setResult(null);
    setProgress(null);
    try {
      if (what === 'export') {
        const r = await api.exportKit(folder);
        setResult({ ok: true, message: `Kit written: ${r.models.length} model(s), ${r.engines.length} engine(s), ${r.deployments.length} deployment(s).` });
      } else {
        const r = await api.importKit(folder);
        setResult({
          ok: true,
          message: `Imported: ${r.models.length} model(s), ${r.engines.length} engine(s), ${r.deployments.length} deployment(s)${r.skipped.length ? `; already here: ${r.skipped.length}` : ''}.`,
        });
      }
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };
  // Desktop app: the system folder dialog chooses the folder, then the action runs on it.
  const pickAndRun = async (what: Action) => {
    const picked = await api.pickKitFolder(what);
    if (!picked) return;
    setDir(picked);
    await run(what, picked);
  };
  const pct = progress?.totalBytes ? Math.round((100 * progress.bytes) / progress.totalBytes) : null;
  return (
    <section className="card settings-section" aria-labelledby="s-kit" data-testid="settings-kit">
      <h2 id="s-kit">Offline kit</h2>
      <p>Carry engines, models and deployments to a computer without network: export to a folder (a USB stick), then import it there. Every file is checked while copying.</p>
      <label className="field">
        <span>Kit folder (full path on this computer)</span>
        <input value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/media/usb/llama-orch-kit" data-testid="kit-dir" />
      </label>
      <div className="section-foot">
        {api.canPickFolders() && (
          <>
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void pickAndRun('export')} data-testid="kit-export-pick">
              Export to folder…
            </button>
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void pickAndRun('import')} data-testid="kit-import-pick">
              Import from folder…
            </button>
          </>
        )}
        <button type="button" className="btn" disabled={busy !== null || !dir.trim()} onClick={() => void run('export', dir.trim())} data-testid="kit-export">
          {busy === 'export' ? 'Exporting…' : 'Export kit'}
        </button>
        <button type="button" className="btn primary" disabled={busy !== null || !dir.trim()} onClick={() => void run('import', dir.trim())} data-testid="kit-import">
          {busy === 'import' ? 'Importing…' : 'Import kit'}
        </button>
        {busy && pct !== null && <progress max={100} value={pct} aria-label="kit progress" />}
        {result && (
          <span role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'} data-testid="kit-result">
            {result.message}
          </span>
        )}
      </div>
    </section>
  );
}
