import type { ModelSummary } from '../../../../electron/contract/index.js';
import { formatBytes } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { loadDialogOpened, pinToggled, unloadRequested } from './actions.js';
import { fitHint, formatParams, instanceOfModel } from './selectors.js';
import { useModels } from './store.js';

const STATE_TEXT: Record<string, string> = { starting: 'Loading…', ready: 'Loaded', stopping: 'Unloading…', failed: 'Failed' };

export function LibraryTable({ models }: { models: ModelSummary[] }) {
  const { instances, hardware, pinned, deployments } = useModels();
  const deployed = deployments.state === 'ready' ? deployments.value.data : [];
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Models in the library">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Architecture</th>
            <th scope="col">Parameters</th>
            <th scope="col">Quant</th>
            <th scope="col">Context</th>
            <th scope="col">Size</th>
            <th scope="col">Licence</th>
            <th scope="col">Fit here</th>
            <th scope="col">State</th>
            <th scope="col" title="Pinned models stay loaded: they are never unloaded when idle nor unloaded to make room for another model">
              Keep loaded
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const inst = instanceOfModel(m, instances, deployed);
            const fit = fitHint(m.sizeBytes, hardware);
            const isPinned = pinned.includes(m.id);
            return (
              <tr key={m.id} data-testid={`model-${m.id}`} data-state={inst?.state ?? 'unloaded'} data-pinned={isPinned}>
                <th scope="row">
                  {m.displayName}
                  <div className="muted small">
                    {m.id}
                    {m.linked ? ' · linked' : ''} · {m.source === 'hub' ? 'Hugging Face' : 'imported'}
                  </div>
                </th>
                <td>{m.architecture}</td>
                <td>{formatParams(m.parameterCount)}</td>
                <td>{m.quant ?? '—'}</td>
                <td>{m.contextLength ?? '—'}</td>
                <td>{formatBytes(m.sizeBytes)}</td>
                <td data-testid={`license-of-${m.id}`} title={m.license ? `${m.license.from === 'gguf' ? 'From the GGUF metadata' : 'From the Hugging Face model card'}${m.license.link ? `: ${m.license.link}` : ''}` : 'Neither the file nor its model card names a licence'}>
                  {m.license?.id ?? '—'}
                </td>
                <td>
                  <span className={`fit fit-${fit.tone}`}>{fit.text}</span>
                </td>
                <td>
                  {inst ? <span className={`badge state-${inst.state}`} title={inst.reason ?? undefined}>{STATE_TEXT[inst.state] ?? inst.state}</span> : <span className="muted">not loaded</span>}
                </td>
                <td>
                  <button
                    type="button"
                    className={`btn small pin${isPinned ? ' pinned' : ''}`}
                    aria-pressed={isPinned}
                    aria-label={`Pin ${m.id}`}
                    title={isPinned ? 'Pinned: stays loaded once loaded. Click to unpin.' : 'Pin: once loaded, never unloaded when idle or to make room'}
                    onClick={() => void pinToggled(m.id)}
                  >
                    {isPinned ? 'Pinned' : 'Pin'}
                  </button>
                </td>
                <td className="row-actions">
                  {inst && inst.state !== 'failed' ? (
                    <>
                      <a className="btn small" href={href('chat', { model: inst.modelId })}>
                        Chat
                      </a>
                      <button type="button" className="btn small" onClick={() => void unloadRequested(inst.id)}>
                        Unload
                      </button>
                    </>
                  ) : (
                    <button type="button" className="btn small primary" onClick={() => void loadDialogOpened(m.id)} aria-label={`Load ${m.id}`}>
                      Load…
                    </button>
                  )}
                  <button type="button" className="btn small danger" onClick={() => useModels.getState().deleteAsked(m.id)} aria-label={`Delete ${m.id}`}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
