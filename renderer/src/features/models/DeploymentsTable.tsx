// The deployments section of the Models page: every deployment and every model served without one
// (a library model loaded with defaults, a file given to `serve --model`), with its engine's state.
import type { DeploymentView } from '../../../../electron/contract/index.js';
import { href } from '../../lib/router.js';
import { unloadRequested } from './actions.js';

const STATE_TEXT: Record<string, string> = { starting: 'Loading…', ready: 'Loaded', stopping: 'Unloading…', failed: 'Failed', stopped: 'Stopped' };

function settingsText(d: DeploymentView): string {
  const o = d.overrides;
  const parts = [o.devices ? `devices ${o.devices.join(', ')}` : 'automatic placement'];
  if (o.parallel) parts.push(`${o.parallel} slots`);
  if (o.contextSize) parts.push(`context ${o.contextSize}`);
  if (d.reproducible) parts.push('reproducible');
  if (d.pinned) parts.push('kept loaded');
  return parts.join(' · ');
}

export function DeploymentsTable({ deployments }: { deployments: DeploymentView[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Deployments">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Model</th>
            <th scope="col">Role</th>
            <th scope="col">Settings</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deployments.map((d) => {
            const inst = d.instance;
            return (
              <tr key={d.name} data-testid={`deployment-${d.name}`} data-state={inst?.state ?? 'unloaded'} data-saved={d.saved}>
                <th scope="row">
                  {d.name}
                  <div className="muted small">{d.aliases.length ? `also ${d.aliases.join(', ')}` : d.saved ? 'saved' : 'not saved: runs with defaults'}</div>
                </th>
                <td className="small">{d.model}</td>
                <td>{d.role}</td>
                <td className="small">{settingsText(d)}</td>
                <td>{inst ? <span className={`badge state-${inst.state}`} title={inst.reason ?? undefined}>{STATE_TEXT[inst.state] ?? inst.state}</span> : <span className="muted">not loaded</span>}</td>
                <td className="row-actions">
                  {inst && inst.state !== 'failed' && (
                    <>
                      {d.role === 'chat' && (
                        <a className="btn small" href={href('chat', { model: d.name })}>
                          Chat
                        </a>
                      )}
                      <button type="button" className="btn small" onClick={() => void unloadRequested(inst.id)}>
                        Unload
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
