import { useEffect } from 'react';
import { ConfirmDialog, EmptyState } from '../../components/ui.js';
import { formatBytes } from '../../lib/format.js';
import { deleteConfirmed, importDialogOpened, messagesDismissed, modelsOpened } from './actions.js';
import { DeploymentsTable } from './DeploymentsTable.js';
import { Downloads, GetModels } from './GetModels.js';
import { ImportDialog } from './ImportDialog.js';
import { LibraryTable } from './LibraryTable.js';
import { LoadDialog } from './LoadDialog.js';
import { useModels } from './store.js';

export function ModelsPage() {
  const { library, deployments, notice, error, confirmDelete } = useModels();
  useEffect(() => modelsOpened(), []);
  return (
    <main className="page" aria-labelledby="page-title">
      <div className="section-head">
        <h1 id="page-title">Models</h1>
        <button type="button" className="btn primary" onClick={() => importDialogOpened(true)}>
          Import from disk…
        </button>
      </div>
      {(notice || error) && (
        <div className={error ? 'banner error' : 'banner'} role={error ? 'alert' : 'status'}>
          <span>{error ?? notice}</span>
          <button type="button" className="btn ghost small" onClick={messagesDismissed} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {deployments.state === 'ready' && (deployments.value.data.length > 0 || deployments.value.problems.length > 0) && (
        <section className="section" aria-label="Deployments">
          <h2>Deployments</h2>
          {deployments.value.problems.map((p) => (
            <p key={p} role="alert" className="warn">
              {p}
            </p>
          ))}
          <DeploymentsTable deployments={deployments.value.data} />
        </section>
      )}
      <section className="section" aria-label="Library">
        <h2>
          Library
          {library.state === 'ready' && <span className="muted small"> · {formatBytes(library.value.totalDiskBytes)} on disk</span>}
        </h2>
        {library.state === 'loading' && <p className="muted">Loading the library…</p>}
        {library.state === 'unavailable' && <EmptyState title="The model library is not available in this version of the core." />}
        {library.state === 'error' && (
          <p role="alert" className="error">
            The library could not be read: {library.message}
          </p>
        )}
        {library.state === 'ready' &&
          (library.value.data.length === 0 ? (
            <EmptyState
              title="No models yet."
              action={
                <button type="button" className="btn primary" onClick={() => importDialogOpened(true)}>
                  Import a .gguf file
                </button>
              }
            >
              Import a GGUF file you already have, or search Hugging Face below.
            </EmptyState>
          ) : (
            <LibraryTable models={library.value.data} />
          ))}
      </section>
      <Downloads />
      <GetModels />
      <ImportDialog />
      <LoadDialog />
      <ConfirmDialog subject={confirmDelete} title="Delete model" action="Delete" onClose={() => useModels.getState().deleteAsked(null)} onConfirm={(id) => void deleteConfirmed(id)}>
        <p>
          Delete <strong>{confirmDelete}</strong> from the library? Its files are removed from disk (a linked model's original file is kept).
        </p>
      </ConfirmDialog>
    </main>
  );
}
