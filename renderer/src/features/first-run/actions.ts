// First-run actions: read what the screen needs, then the one-click setup: install the engine when none
// is here (and the network may be used), pull the chosen model, and open the chat with it. Progress
// comes from the event stream; completion is also polled, so a missed event never leaves it hanging.
import { ENGINE_INSTALL_PROGRESS_KIND, type CatalogModelView } from '../../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';
import { markFirstRunDismissed } from '../../lib/first-run.js';
import { navigate } from '../../lib/router.js';
import { useFirstRun } from './store.js';

const MODEL_PULL = 'model-pull';
const POLL_MS = 1500;

export function firstRunOpened(): () => void {
  const s = useFirstRun.getState();
  api.models().then(
    (r) => s.libraryCounted(r.data.length === 0),
    () => undefined,
  );
  api.engines().then(
    (r) => s.enginesCounted(r.data.length > 0),
    () => undefined,
  );
  api.settings().then(
    (st) => s.offlineKnown(st.network.offline),
    () => undefined,
  );
  api.catalog().then(
    (c) => s.catalogLoaded(c),
    (err: unknown) => s.catalogLoaded(null, errorMessage(err)),
  );
  return api.onEvent((ev) => {
    if (ev.type === 'progress' && (ev.kind === MODEL_PULL || ev.kind === ENGINE_INSTALL_PROGRESS_KIND)) useFirstRun.getState().progressSeen(ev);
  });
}

export function firstRunDismissed(): void {
  markFirstRunDismissed();
  useFirstRun.getState().libraryCounted(false);
}

/** Calls `check` every POLL_MS until it answers a value (done) or throws (failed). */
function until<T>(check: () => Promise<T | null>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tick = () => check().then((v) => (v === null ? void setTimeout(tick, POLL_MS) : resolve(v)), reject);
    tick();
  });
}

async function engineEnsured(): Promise<void> {
  const s = useFirstRun.getState();
  // An installed engine, or one named with `serve --engine`: installing another would become the
  // default and take over from the one the user chose.
  const list = await api.engines();
  if (list.data.length > 0 || list.commandLineEngine) return;
  s.setupChanged({ phase: 'engine', progress: null, jobId: null });
  // wait: the answer is the installed engine or the reason it failed; progress arrives meanwhile.
  await api.installEngine({ wait: true });
  s.enginesCounted(true);
}

async function modelPulled(entry: CatalogModelView): Promise<string> {
  const s = useFirstRun.getState();
  s.setupChanged({ phase: 'model', progress: null, jobId: null });
  const pull = await api.pullModel({ repo: entry.repo, file: entry.file });
  s.setupChanged({ jobId: pull.id });
  return until(async () => {
    const r = await api.models();
    if (r.data.some((m) => m.id === pull.modelId)) return pull.modelId;
    const job = r.pulls.find((p) => p.id === pull.id);
    if (job && (job.state === 'failed' || job.state === 'cancelled')) throw new Error(`${entry.name} could not be downloaded: ${job.error ?? job.state}`);
    return null;
  });
}

/** The one click: engine (when missing), model, then the chat with it. */
export async function setupRequested(entry: CatalogModelView): Promise<void> {
  const s = useFirstRun.getState();
  s.setupChanged(null);
  s.setupChanged({ entryId: entry.id, phase: 'engine' });
  try {
    await engineEnsured();
    const model = await modelPulled(entry);
    s.setupChanged({ phase: 'done', jobId: null });
    s.libraryCounted(false);
    navigate('chat', { model });
  } catch (err) {
    const during = useFirstRun.getState().job?.phase;
    s.setupChanged({ phase: 'failed', error: during === 'engine' ? `The engine could not be installed: ${errorMessage(err)}` : errorMessage(err) });
  }
}
