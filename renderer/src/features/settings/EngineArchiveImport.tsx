// Settings → Engines: import an engine archive (.zip / .tar.gz, as llama.cpp releases ship them) picked
// with a file picker or dropped here; it is uploaded to the core with progress, then verified,
// unpacked and self-tested there. The core's reason is shown when it refuses the archive.
import { useRef, useState, type DragEvent } from 'react';
import { ProgressBar } from '../../components/ui.js';
import { api, errorMessage } from '../../lib/api.js';
import { formatBytes } from '../../lib/format.js';
import { enginesChanged } from './actions.js';

type ImportState = { phase: 'uploading'; sent: number; total: number } | { phase: 'unpacking' } | { phase: 'done' | 'failed'; message: string };

const ARCHIVE = /\.(zip|tar\.gz|tgz)$/i;

export function EngineArchiveImport() {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<ImportState | null>(null);
  const [over, setOver] = useState(false);
  const busy = state?.phase === 'uploading' || state?.phase === 'unpacking';

  const start = async (file: File | undefined) => {
    if (!file || busy) return;
    if (!ARCHIVE.test(file.name)) return setState({ phase: 'failed', message: `${file.name} is not an engine archive: expected a .zip or .tar.gz from a llama.cpp release.` });
    setState({ phase: 'uploading', sent: 0, total: file.size });
    try {
      const engine = await api.importEngineArchive(file, (sent, total) => setState(sent < total ? { phase: 'uploading', sent, total } : { phase: 'unpacking' }));
      setState({ phase: 'done', message: `Engine ${engine.id} was imported${engine.version ? ` (${engine.version})` : ''}.` });
      await enginesChanged();
    } catch (err) {
      setState({ phase: 'failed', message: `${file.name} was not imported: ${errorMessage(err)}` });
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void start(e.dataTransfer.files[0]);
  };

  return (
    <div className={`dropzone${over ? ' over' : ''}`} data-testid="engine-archive-drop" onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={onDrop}>
      <p>
        Have an engine archive (from a llama.cpp release, a USB stick)? Drop it here or{' '}
        <button type="button" className="btn small" disabled={busy} onClick={() => input.current?.click()} data-testid="engine-archive-pick">
          choose the file…
        </button>
      </p>
      <input ref={input} type="file" accept=".zip,.gz,.tgz" hidden onChange={(e) => void start(e.target.files?.[0]).finally(() => (e.target.value = ''))} data-testid="engine-archive-file" />
      {state?.phase === 'uploading' && (
        <>
          <ProgressBar label="Engine archive upload" value={state.sent} max={state.total} />
          <p className="muted small">
            {formatBytes(state.sent)} of {formatBytes(state.total)}
          </p>
        </>
      )}
      {state?.phase === 'unpacking' && <p className="muted small">Checking and unpacking the engine…</p>}
      {(state?.phase === 'done' || state?.phase === 'failed') && (
        <p role={state.phase === 'done' ? 'status' : 'alert'} className={state.phase === 'done' ? 'ok' : 'error'} data-testid="engine-archive-result">
          {state.message}
        </p>
      )}
    </div>
  );
}
