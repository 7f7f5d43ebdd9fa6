// Dashboard actions: load the status once, then follow the event stream.
import { api } from '../../lib/api.js';
import { useDashboard } from './store.js';

export function startDashboard(): () => void {
  const s = useDashboard.getState();
  api.status().then(s.statusLoaded, (err: Error) => s.loadFailed(err.message));
  return api.onEvent((ev) => {
    if (ev.type === 'instance.state') useDashboard.getState().instanceChanged(ev.instance);
    else if (ev.type === 'instance.removed') useDashboard.getState().instanceRemoved(ev.id);
  });
}
