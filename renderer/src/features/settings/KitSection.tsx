// Settings → Offline kit: export this computer's engines, models and deployments to a folder (a USB
// stick), or import a kit from one; progress comes from the event stream.
import { useEffect, useState } from 'react';
import { KIT_PROGRESS_KINDS, type ProgressEvent } from '../../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';

export function KitSection() {
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => api.onEvent((ev) => void (ev.type === 'progress' && (ev.kind === KIT_PROGRESS_KINDS.import || ev.kind === KIT_PROGRESS_KINDS.export) && setProgress(ev))), []);
  const run = async (what: 'export' | 'import') => {
    setBusy(what);
    setResult(null);
    setProgress(null);
    try {
      if (what === 'export') {
        const r = await api.exportKit(dir.trim());
        setResult({ ok: true, message: `Kit written: ${r.models.length} model(s), ${r.engines.length} engine(s), ${r.deployments.length} deployment(s).` });
      } else {
        const r = await api.importKit(dir.trim());
        setResult({ ok: true, message: `Imported: ${r.models.length} model(s), ${r.engines.length} engine(s), ${r.deployments.length} deployment(s)${r.skipped.length ? `; already here: ${r.skipped.length}` : ''}.` });
      }
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(null);
    }
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
        <button type="button" className="btn" disabled={busy !== null || !dir.trim()} onClick={() => void run('export')} data-testid="kit-export">
          {busy === 'export' ? 'Exporting…' : 'Export kit'}
        </button>
        <button type="button" className="btn primary" disabled={busy !== null || !dir.trim()} onClick={() => void run('import')} data-testid="kit-import">
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
