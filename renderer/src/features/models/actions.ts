// Models page actions: library, import, delete, hub search and downloads, and the load dialog with
// its live placement preview. They call the API client only and write the models store only.
import type { PullModelRequest } from '../../../../electron/contract/index.js';
import type { PlacementOverrides } from '../../../../electron/contract/placement.js';
import { ApiError, api, errorMessage, isMissingRoute } from '../../lib/api.js';
import { useModels, type LoadDialogState } from './store.js';

const MODEL_PULL = 'model-pull';
const REPLAN_DELAY_MS = 250;

function refreshLibrary(): Promise<void> {
  const s = useModels.getState();
  return api.models().then(
    (value) => {
      s.libraryLoaded({ state: 'ready', value });
      for (const p of value.pulls) s.downloadListed(p);
    },
    (err: unknown) => s.libraryLoaded(isMissingRoute(err) ? { state: 'unavailable' } : { state: 'error', message: errorMessage(err) }),
  );
}

// Every instance event asks for the list again; answers can arrive out of order, and an older one
// (an engine still 'starting') applied after the newest would stay on screen until the next event.
let deploymentsAsked = 0;

function refreshDeployments(): Promise<void> {
  const ask = ++deploymentsAsked;
  const latest = () => ask === deploymentsAsked;
  return api.deployments().then(
    (value) => void (latest() && useModels.getState().deploymentsLoaded({ state: 'ready', value })),
    (err: unknown) => void (latest() && useModels.getState().deploymentsLoaded(isMissingRoute(err) ? { state: 'unavailable' } : { state: 'error', message: errorMessage(err) })),
  );
}

export function modelsOpened(): () => void {
  const s = useModels.getState();
  void refreshLibrary();
  void refreshDeployments();
  api.hardware().then(s.hardwareLoaded, () => undefined); // fit hints only
  api.instances().then(
    (r) => s.instancesSeen(r.data),
    () => undefined,
  );
  api.settings().then(
    (st) => s.pinnedChanged(st.models.pinned),
    () => undefined,
  ); // the pin buttons only
  return api.onEvent((ev) => {
    const st = useModels.getState();
    if (ev.type === 'instance.state') st.instanceChanged(ev.instance);
    else if (ev.type === 'instance.removed') st.instanceRemoved(ev.id);
    if (ev.type === 'instance.state' || ev.type === 'instance.removed') void refreshDeployments();
    else if (ev.type === 'progress' && ev.kind === MODEL_PULL) {
      st.downloadProgressed(ev);
      if (ev.state === 'done') void refreshLibrary();
    }
  });
}

export function importDialogOpened(open: boolean): void {
  useModels.getState().importDialogChanged({ open, error: null, busy: false });
}

export async function importRequested(path: string, link: boolean): Promise<boolean> {
  const s = useModels.getState();
  if (!path.trim()) {
    s.importDialogChanged({ error: 'Type the full path of a .gguf file on this computer.' });
    return false;
  }
  s.importDialogChanged({ busy: true, error: null });
  try {
    const m = await api.importModel({ path: path.trim(), link });
    s.importDialogChanged({ open: false, busy: false });
    s.noticeShown(`${m.displayName} was added to the library.`);
    await refreshLibrary();
    return true;
  } catch (err) {
    s.importDialogChanged({ busy: false, error: errorMessage(err) });
    return false;
  }
}

export async function deleteConfirmed(id: string): Promise<void> {
  const s = useModels.getState();
  s.deleteAsked(null);
  try {
    await api.deleteModel(id);
    s.noticeShown(`${id} was deleted.`);
  } catch (err) {
    s.failed(err instanceof ApiError && err.code === 'model_loaded' ? `${id} is loaded: unload it first, then delete it. (${err.message})` : errorMessage(err));
  }
  await refreshLibrary();
}

/** Pin or unpin a model: read the current list first so a pin set elsewhere (CLI, another window) is kept. */
export async function pinToggled(id: string): Promise<void> {
  const s = useModels.getState();
  const before = s.pinned;
  const wanted = !before.includes(id);
  s.pinnedChanged(wanted ? [...before, id] : before.filter((p) => p !== id)); // shown at once
  try {
    const current = (await api.settings()).models.pinned.filter((p) => p !== id);
    const next = await api.updateSettings({ models: { pinned: wanted ? [...current, id] : current } });
    useModels.getState().pinnedChanged(next.models.pinned);
  } catch (err) {
    useModels.getState().pinnedChanged(before);
    useModels.getState().failed(`${id} could not be ${wanted ? 'pinned' : 'unpinned'}: ${errorMessage(err)}`);
  }
}

export async function unloadRequested(instanceId: string): Promise<void> {
  try {
    await api.stopInstance(instanceId);
  } catch (err) {
    useModels.getState().failed(errorMessage(err));
  }
}

export async function searchSubmitted(query: string): Promise<void> {
  const s = useModels.getState();
  s.searchChanged({ query, busy: true, error: null });
  try {
    const r = await api.searchHub(query);
    s.searchChanged({ busy: false, hits: r.data });
  } catch (err) {
    s.searchChanged({ busy: false, hits: null, error: isMissingRoute(err) ? 'Searching Hugging Face is not available in this version of the core.' : errorMessage(err) });
  }
}

export async function downloadRequested(request: PullModelRequest): Promise<void> {
  const s = useModels.getState();
  try {
    const job = await api.pullModel(request);
    s.downloadStarted(job.id, request);
  } catch (err) {
    s.failed(`Download of ${request.repo} could not start: ${errorMessage(err)}`);
  }
}

export async function downloadPauseRequested(id: string): Promise<void> {
  try {
    await api.pausePull(id);
    useModels.getState().downloadPaused(id, true);
  } catch (err) {
    useModels.getState().failed(errorMessage(err));
  }
}

/** Resume (or retry): the same job continues from the bytes already on disk, with a Range request. */
export async function downloadResumeRequested(id: string): Promise<void> {
  const s = useModels.getState();
  if (!s.downloads[id]) return;
  try {
    await api.resumePull(id);
    s.downloadPaused(id, false);
  } catch (err) {
    s.failed(`The download could not resume: ${errorMessage(err)}`);
  }
}

/** Cancel a running download, or discard a paused or failed one (its bytes are deleted). */
export async function downloadCancelRequested(id: string): Promise<void> {
  await api.cancelPull(id).catch(() => undefined); // already finished: just forget it
  useModels.getState().downloadDismissed(id);
}

// ---- load dialog with the placement preview ----

let replanTimer: ReturnType<typeof setTimeout> | null = null;
let planSeq = 0;

export async function loadDialogOpened(modelId: string): Promise<void> {
  const s = useModels.getState();
  s.loadDialogChanged(null);
  const saved = (s.deployments.state === 'ready' ? s.deployments.value.data : []).find((d) => d.name === modelId && d.saved);
  s.loadDialogChanged({
    modelId,
    path: null,
    overrides: saved?.overrides ?? {},
    plan: { state: 'loading' },
    deviceChoices: [],
    starting: false,
    error: null,
    save: { enabled: true, name: modelId, aliases: saved?.aliases.join(', ') ?? '', reproducible: saved?.reproducible ?? false, pinned: saved?.pinned ?? false },
  });
  try {
    const detail = await api.model(modelId);
    useModels.getState().loadDialogChanged({ path: detail.files[0]?.path ?? null });
  } catch (err) {
    useModels.getState().loadDialogChanged({ plan: { state: 'error', message: errorMessage(err) } });
    return;
  }
  await replan();
}

export function overridesChanged(patch: PlacementOverrides): void {
  const s = useModels.getState();
  if (!s.load) return;
  const overrides = { ...s.load.overrides, ...patch };
  for (const k of Object.keys(overrides) as (keyof PlacementOverrides)[]) if (overrides[k] === undefined) delete overrides[k];
  s.loadDialogChanged({ overrides });
  if (replanTimer) clearTimeout(replanTimer);
  replanTimer = setTimeout(() => void replan(), REPLAN_DELAY_MS);
}

async function replan(): Promise<void> {
  const load = useModels.getState().load;
  if (!load?.path) return;
  const seq = ++planSeq;
  useModels.getState().loadDialogChanged({ plan: { state: 'loading' } });
  try {
    const plan = await api.plan({ model: load.path, overrides: load.overrides });
    if (seq !== planSeq) return;
    const seen = new Set([...(useModels.getState().load?.deviceChoices ?? []), ...(plan.plan?.engineDevices ?? [])]);
    useModels.getState().loadDialogChanged({ plan: { state: 'ready', value: plan }, deviceChoices: [...seen] });
  } catch (err) {
    if (seq !== planSeq) return;
    useModels.getState().loadDialogChanged({ plan: isMissingRoute(err) ? { state: 'unavailable' } : { state: 'error', message: errorMessage(err) } });
  }
}

export function saveOptionsChanged(patch: Partial<LoadDialogState['save']>): void {
  const load = useModels.getState().load;
  if (load) useModels.getState().loadDialogChanged({ save: { ...load.save, ...patch } });
}

/** Save the dialog's settings as a deployment (a new one, or the one of that name, re-planned), then load it. */
async function saveAndLoad(load: LoadDialogState, overrides: PlacementOverrides): Promise<void> {
  const { save } = load;
  const fields = {
    aliases: save.aliases
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    overrides,
    reproducible: save.reproducible,
    pinned: save.pinned,
  };
  try {
    await api.createDeployment({ model: load.modelId, name: save.name.trim() || load.modelId, ...fields });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409 && err.param === 'name')) throw err;
    await api.updateDeployment(save.name.trim() || load.modelId, fields);
  }
  await api.loadDeployment(save.name.trim() || load.modelId);
  await refreshDeployments();
}

export async function loadConfirmed(): Promise<void> {
  const s = useModels.getState();
  const load = s.load;
  if (!load) return;
  s.loadDialogChanged({ starting: true, error: null });
  const { contextSize, parallel, ...rest } = load.overrides;
  const body = { ...rest, ...(contextSize ? { contextSize } : {}), ...(parallel ? { parallel } : {}) };
  try {
    if (load.save.enabled) {
      await saveAndLoad(load, body);
      s.loadDialogChanged(null);
      s.noticeShown(`Saved deployment ${load.save.name || load.modelId}; loading… it runs the same way after a restart.`);
      return;
    }
    try {
      await api.startInstance({ model: load.modelId, ...body });
    } catch (err) {
      // A core whose router does not know library ids yet still loads the model by its file path.
      if (!(err instanceof ApiError && err.status === 404 && load.path)) throw err;
      await api.startInstance({ model: load.path, ...body });
    }
    s.loadDialogChanged(null);
    s.noticeShown(`Loading ${load.modelId}… its state shows in the table and on the dashboard.`);
  } catch (err) {
    s.loadDialogChanged({ starting: false, error: errorMessage(err) });
  }
}

export function loadDialogClosed(): void {
  if (replanTimer) clearTimeout(replanTimer);
  planSeq++;
  useModels.getState().loadDialogChanged(null);
}

export function messagesDismissed(): void {
  useModels.getState().noticeShown(null);
  useModels.getState().failed(null);
}
