// The deployments section of the Models page: every deployment and every model served without one
// (a library model loaded with defaults, a file given to `serve --model`), with its engine's state.
import type { DeploymentView } from '../../../../electron/contract/index.js';
import { DataTable, InstanceStateBadge, type Column } from '../../components/DataTable.js';
import { LoadedActions } from './LoadedActions.js';

function settingsText(d: DeploymentView): string {
  const o = d.overrides;
  const parts = [o.devices ? `devices ${o.devices.join(', ')}` : 'automatic placement'];
  if (o.parallel) parts.push(`${o.parallel} slots`);
  if (o.contextSize) parts.push(`context ${o.contextSize}`);
  if (d.reproducible) parts.push('reproducible');
  if (d.pinned) parts.push('kept loaded');
  return parts.join(' · ');
}

function Actions({ d }: { d: DeploymentView }) {
  const inst = d.instance;
  if (!inst || inst.state === 'failed') return null;
  return <LoadedActions chatAs={d.role === 'chat' ? d.name : null} instanceId={inst.id} />;
}

const COLUMNS: Column<DeploymentView>[] = [
  {
    header: 'Name',
    rowHeader: true,
    cell: (d) => (
      <>
        {d.name}
        <div className="muted small">{d.aliases.length ? `also ${d.aliases.join(', ')}` : d.saved ? 'saved' : 'not saved: runs with defaults'}</div>
      </>
    ),
  },
  { header: 'Model', className: 'small', cell: (d) => d.model },
  { header: 'Role', cell: (d) => d.role },
  { header: 'Settings', className: 'small', cell: settingsText },
  { header: 'State', cell: (d) => <InstanceStateBadge instance={d.instance} /> },
  { header: 'Actions', hiddenHeader: true, className: 'row-actions', cell: (d) => <Actions d={d} /> },
];

export function DeploymentsTable({ deployments }: { deployments: DeploymentView[] }) {
  return (
    <DataTable
      label="Deployments"
      wrap
      rows={deployments}
      columns={COLUMNS}
      rowKey={(d) => d.name}
      rowProps={(d) => ({ 'data-testid': `deployment-${d.name}`, 'data-state': d.instance?.state ?? 'unloaded', 'data-saved': d.saved })}
    />
  );
}
