import { useState, type DragEvent, type FormEvent } from 'react';
import { Dialog, ErrorNote } from '../../components/ui.js';
import { api } from '../../lib/api.js';
import { importDialogOpened, importRequested } from './actions.js';
import { useModels } from './store.js';

/** Path of a dropped file: the desktop app's preload knows it (webUtils); a browser never tells. */
function droppedPath(e: DragEvent): string | null {
  const f = e.dataTransfer.files[0];
  return f ? api.pathForFile(f) : null;
}

export function ImportDialog() {
  const { open, busy, error } = useModels((s) => s.importDialog);
  const [path, setPath] = useState('');
  const [link, setLink] = useState(false);
  const [dropNote, setDropNote] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void importRequested(path, link).then((ok) => ok && setPath(''));
  };
  const pick = async () => {
    const files = await api.pickModelFiles();
    if (files?.[0]) setPath(files[0]);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const p = droppedPath(e);
    const name = e.dataTransfer.files[0]?.name;
    setDropNote(null);
    if (p) setPath(p);
    else setDropNote(name ? `The browser does not tell the core where "${name}" is: type its full path above.` : null);
  };
  return (
    <Dialog open={open} title="Import a model from disk" onClose={() => importDialogOpened(false)}>
      <form onSubmit={submit} className="form">
        <div className="dropzone" data-testid="import-dropzone" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
          Drop a .gguf file here{window.llamaOrch ? ', or ' : ''}
          {window.llamaOrch && (
            <button type="button" className="btn small" onClick={() => void pick()}>
              choose a file…
            </button>
          )}
        </div>
        {dropNote && <p className="muted">{dropNote}</p>}
        <label className="field">
          <span>Path of the .gguf file on this computer</span>
          <input name="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/Downloads/model-Q4_K_M.gguf" autoFocus spellCheck={false} />
        </label>
        <label className="check-field">
          <input type="checkbox" checked={link} onChange={(e) => setLink(e.target.checked)} /> Use the file where it is (no copy; keep the file in place)
        </label>
        <ErrorNote message={error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => importDialogOpened(false)}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
