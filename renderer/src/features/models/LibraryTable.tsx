// The library table of the Models page: each model with its facts, licence, fit here, live state, pin
// and actions (load, chat, unload, delete).
import type { InstanceInfo, ModelSummary } from '../../../../electron/contract/index.js';
import { DataTable, InstanceStateBadge, type Column } from '../../components/DataTable.js';
import { formatBytes } from '../../lib/format.js';
import { loadDialogOpened, pinToggled } from './actions.js';
import { LoadedActions } from './LoadedActions.js';
import { fitHint, formatParams, instanceOfModel } from './selectors.js';
import { useModels } from './store.js';

/** A library model with what the row shows about it here and now. */
interface Row {
  m: ModelSummary;
  inst: InstanceInfo | null;
  fit: { tone: string; text: string };
  isPinned: boolean;
}

function licenceTitle(m: ModelSummary): string {
  if (!m.license) return 'Neither the file nor its model card names a licence';
  return `${m.license.from === 'gguf' ? 'From the GGUF metadata' : 'From the Hugging Face model card'}${m.license.link ? `: ${m.license.link}` : ''}`;
}

function PinButton({ m, isPinned }: Row) {
  return (
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
  );
}

function Actions({ m, inst }: Row) {
  return (
    <>
      {inst && inst.state !== 'failed' ? (
        <LoadedActions chatAs={inst.modelId} instanceId={inst.id} />
      ) : (
        <button type="button" className="btn small primary" onClick={() => void loadDialogOpened(m.id)} aria-label={`Load ${m.id}`}>
          Load…
        </button>
      )}
      <button type="button" className="btn small danger" onClick={() => useModels.getState().deleteAsked(m.id)} aria-label={`Delete ${m.id}`}>
        Delete
      </button>
    </>
  );
}

const COLUMNS: Column<Row>[] = [
  {
    header: 'Model',
    rowHeader: true,
    cell: ({ m }) => (
      <>
        {m.displayName}
        <div className="muted small">
          {m.id}
          {m.linked ? ' · linked' : ''} · {m.source === 'hub' ? 'Hugging Face' : 'imported'}
        </div>
      </>
    ),
  },
  { header: 'Architecture', cell: ({ m }) => m.architecture },
  { header: 'Parameters', cell: ({ m }) => formatParams(m.parameterCount) },
  { header: 'Quant', cell: ({ m }) => m.quant ?? '—' },
  { header: 'Context', cell: ({ m }) => m.contextLength ?? '—' },
  { header: 'Size', cell: ({ m }) => formatBytes(m.sizeBytes) },
  { header: 'Licence', cell: ({ m }) => m.license?.id ?? '—', cellProps: ({ m }) => ({ 'data-testid': `license-of-${m.id}`, title: licenceTitle(m) }) },
  { header: 'Fit here', cell: ({ fit }) => <span className={`fit fit-${fit.tone}`}>{fit.text}</span> },
  { header: 'State', cell: ({ inst }) => <InstanceStateBadge instance={inst} /> },
  { header: 'Keep loaded', title: 'Pinned models stay loaded: they are never unloaded when idle nor unloaded to make room for another model', cell: (r) => <PinButton {...r} /> },
  { header: 'Actions', hiddenHeader: true, className: 'row-actions', cell: (r) => <Actions {...r} /> },
];

export function LibraryTable({ models }: { models: ModelSummary[] }) {
  const { instances, hardware, pinned, deployments } = useModels();
  const deployed = deployments.state === 'ready' ? deployments.value.data : [];
  const rows = models.map((m): Row => ({ m, inst: instanceOfModel(m, instances, deployed), fit: fitHint(m.sizeBytes, hardware), isPinned: pinned.includes(m.id) }));
  return (
    <DataTable
      label="Models in the library"
      wrap
      rows={rows}
      columns={COLUMNS}
      rowKey={(r) => r.m.id}
      rowProps={({ m, inst, isPinned }) => ({ 'data-testid': `model-${m.id}`, 'data-state': inst?.state ?? 'unloaded', 'data-pinned': isPinned })}
    />
  );
}
