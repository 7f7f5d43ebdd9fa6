// Dashboard actions: load once when the page opens, then follow the event stream, the live GPU
// samples, and poll the engines' facts (token rates, memory buffers) while the page is open.
import { ENGINE_INSTALL_PROGRESS_KIND } from '../../../../electron/contract/index.js';
import { api, errorMessage, isMissingRoute } from '../../lib/api.js';
import { useDashboard } from './store.js';

const FACTS_POLL_MS = 2000;

function loadable<T>(p: Promise<T>, done: (l: { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'error'; message: string }) => void): void {
  p.then(
    (value) => done({ state: 'ready', value }),
    (err: unknown) => done(isMissingRoute(err) ? { state: 'unavailable' } : { state: 'error', message: errorMessage(err) }),
  );
}

/** The dashboard opened: returns the cleanup for when it closes. */
export function dashboardOpened(): () => void {
  const s = useDashboard.getState();
  api.status().then(s.statusLoaded, (err: unknown) => s.loadFailed(errorMessage(err)));
  loadable(api.hardware(), s.hardwareLoaded);
  loadable(api.engines(), s.enginesLoaded);
  api.models().then(
    (m) => s.modelsCounted(m.data.length),
    () => s.modelsCounted(null),
  );
  const offEvents = api.onEvent((ev) => {
    const st = useDashboard.getState();
    if (ev.type === 'instance.state') st.instanceChanged(ev.instance);
    else if (ev.type === 'instance.removed') st.instanceRemoved(ev.id);
    else if (ev.type === 'progress' && ev.kind === ENGINE_INSTALL_PROGRESS_KIND) {
      st.engineInstallChanged({ progress: ev, error: ev.error });
      if (ev.state === 'done') loadable(api.engines(), st.enginesLoaded);
    }
  });
  const offLive = api.onHardwareLive((r) => useDashboard.getState().liveSampled(r));
  const poll = setInterval(() => void pollFacts(), FACTS_POLL_MS);
  void pollFacts();
  return () => {
    offEvents();
    offLive();
    clearInterval(poll);
  };
}

async function pollFacts(): Promise<void> {
  const ready = Object.values(useDashboard.getState().instances).filter((i) => i.state === 'ready');
  await Promise.all(
    ready.map((i) =>
      api.instanceFacts(i.id).then(
        (r) => useDashboard.getState().factsRead(i.id, r.facts),
        () => undefined, // facts are a nice-to-have; the instance card still shows its state
      ),
    ),
  );
}

export function hardwareRefreshRequested(): void {
  const s = useDashboard.getState();
  s.hardwareLoaded({ state: 'loading' });
  loadable(api.hardware(true), s.hardwareLoaded);
}

export async function instanceStopRequested(id: string): Promise<void> {
  try {
    await api.stopInstance(id);
  } catch (err) {
    useDashboard.getState().loadFailed(errorMessage(err));
  }
}

/** Install the engine build the core picks for this machine (progress follows on the event stream). */
export async function engineInstallRequested(): Promise<void> {
  const s = useDashboard.getState();
  s.engineInstallChanged({ error: null, progress: null, reason: 'Choosing the engine for this machine…' });
  try {
    const r = await api.installEngine({});
    s.engineInstallChanged({ reason: r.choice.reason });
    if (r.engine) loadable(api.engines(), s.enginesLoaded);
  } catch (err) {
    s.engineInstallChanged({ reason: null, error: errorMessage(err) });
  }
}
