// Settings actions: load, save one section (PATCH), manage API keys and engines (install with
// progress from the event stream, remove), apply the theme.
import { ENGINE_INSTALL_PROGRESS_KIND, type CreateKeyRequest, type InstallEngineRequest, type SettingsPatch, type UpdateKeyRequest } from '../../../../electron/contract/index.js';
import { ApiError, api, errorMessage } from '../../lib/api.js';
import { applyTheme } from '../../lib/theme.js';
import { useSettings, type SectionName } from './store.js';

/** At app start: apply the saved theme. */
export function appStarted(): void {
  api.settings().then(
    (s) => {
      useSettings.getState().settingsLoaded(s);
      applyTheme(s.ui.theme);
    },
    () => undefined, // the pages show their own connection errors
  );
}

/** The settings page opened: returns the cleanup for when it closes. */
export function settingsOpened(): () => void {
  const s = useSettings.getState();
  api.settings().then(
    (v) => s.settingsLoaded(v),
    (err: unknown) => s.settingsLoaded(null, errorMessage(err)),
  );
  api.status().then(
    (st) => s.statusKnown(st.dataDir, st.version),
    () => undefined,
  );
  void refreshKeys();
  s.engineRemovalEnded(null);
  void refreshEngines();
  void refreshUpgrades();
  return api.onEvent((ev) => {
    if (ev.type !== 'progress' || ev.kind !== ENGINE_INSTALL_PROGRESS_KIND) return;
    const st = useSettings.getState();
    const job = st.engineInstall;
    // An installation started elsewhere (dashboard, CLI) is shown too, unless ours is running.
    if (job?.jobId && job.jobId !== ev.id && job.progress?.state === 'running') return;
    st.engineInstallChanged({ jobId: ev.id, progress: ev, error: ev.error });
    if (ev.state === 'done') void refreshEngines();
  });
}

/** The default engine and the newest check report (Settings → Engines). */
async function refreshUpgrades(): Promise<void> {
  const s = useSettings.getState();
  try {
    const [defaults, checks] = await Promise.all([api.engineDefaults(), api.engineChecks()]);
    s.engineUpgradeChanged({ defaults, report: checks.data[0] ?? null });
  } catch (err) {
    s.engineUpgradeChanged({ result: { ok: false, message: `The default engine could not be read: ${errorMessage(err)}` } });
  }
}

/** One upgrade action at a time: says what runs, then what came of it, and re-reads the state. */
async function upgradeAction(label: string, fn: () => Promise<string>): Promise<void> {
  const s = useSettings.getState();
  s.engineUpgradeChanged({ busy: label, result: null });
  try {
    s.engineUpgradeChanged({ result: { ok: true, message: await fn() } });
  } catch (err) {
    s.engineUpgradeChanged({ result: { ok: false, message: errorMessage(err) } });
  } finally {
    s.engineUpgradeChanged({ busy: null });
    await Promise.all([refreshUpgrades(), refreshEngines()]);
  }
}

export function engineDefaultChosen(id: string): Promise<void> {
  return upgradeAction(`Making ${id} the default…`, async () => {
    await api.setDefaultEngine(id);
    return `${id} is the default engine; running models move to it at their next start.`;
  });
}

export function engineCheckRequested(id: string): Promise<void> {
  return upgradeAction(`Checking ${id} against the saved deployments…`, async () => {
    const r = await api.checkEngine(id);
    return `Check of ${id}: ${r.verdict.replace(/_/g, ' ')}.`;
  });
}

export function enginePromoteRequested(id: string, force = false): Promise<void> {
  return upgradeAction(`Switching to ${id}…`, async () => {
    const r = await api.promoteEngine(id, force);
    const failed = r.restarted.filter((x) => x.error);
    return `${id} is the default engine (was ${r.previous ?? 'none'}); ${r.restarted.length - failed.length} running model(s) moved${failed.length ? `, ${failed.length} kept the old engine` : ''}.`;
  });
}

export function engineRollbackRequested(): Promise<void> {
  return upgradeAction('Rolling back…', async () => {
    const r = await api.rollbackEngine();
    return `Back to ${r.defaultEngine}.`;
  });
}

/** An engine arrived or left outside this module's own actions (an archive import): list them again. */
export const enginesChanged = (): Promise<void> => refreshEngines();

async function refreshEngines(): Promise<void> {
  try {
    useSettings.getState().enginesLoaded(await api.engines());
  } catch (err) {
    useSettings.getState().enginesLoaded(null, errorMessage(err));
  }
}

/** Install an engine build: the core picks one for this machine unless a backend or variant is named. */
export async function engineInstallRequested(body: InstallEngineRequest): Promise<void> {
  const s = useSettings.getState();
  s.engineInstallChanged(null);
  s.engineInstallChanged({ reason: 'Choosing the engine build…' });
  try {
    const r = await api.installEngine(body);
    s.engineInstallChanged({ jobId: r.jobId, reason: r.alreadyInstalled ? `Already installed: ${r.choice.variant}. ${r.choice.reason}` : r.choice.reason });
    if (r.engine) await refreshEngines();
  } catch (err) {
    s.engineInstallChanged({ reason: null, error: errorMessage(err) });
  }
}

export async function engineRemoveConfirmed(id: string): Promise<void> {
  const s = useSettings.getState();
  try {
    await api.removeEngine(id);
    s.engineRemovalEnded({ ok: true, message: `Engine ${id} was removed.` });
  } catch (err) {
    const inUse = err instanceof ApiError && err.status === 409;
    s.engineRemovalEnded({ ok: false, message: `${inUse ? 'Still in use' : 'Not removed'}: ${errorMessage(err)}` });
  }
  await refreshEngines();
}

async function refreshKeys(): Promise<void> {
  try {
    useSettings.getState().keysLoaded((await api.keys()).data);
  } catch (err) {
    useSettings.getState().keysLoaded(null, errorMessage(err));
  }
}

const RESTART_NOTE: Partial<Record<SectionName, string>> = { api: ' The address and port apply the next time llama-orch starts.' };

export async function sectionSaved<K extends SectionName>(section: K, patch: NonNullable<SettingsPatch[K]>): Promise<void> {
  const s = useSettings.getState();
  s.saveStarted(section);
  try {
    const next = await api.updateSettings({ [section]: patch } as SettingsPatch);
    s.saveEnded(section, true, `Saved.${RESTART_NOTE[section] ?? ''}`, next);
    if (section === 'ui') applyTheme(next.ui.theme);
  } catch (err) {
    const field = err instanceof ApiError && err.param ? ` (${err.param})` : '';
    s.saveEnded(section, false, `Not saved${field}: ${errorMessage(err)}`);
  }
}

export async function keyCreateRequested(body: CreateKeyRequest): Promise<void> {
  const s = useSettings.getState();
  try {
    s.keyCreated(await api.createKey(body));
    s.keysLoaded(useSettings.getState().keys);
  } catch (err) {
    s.keysLoaded(useSettings.getState().keys, `The key was not created: ${errorMessage(err)}`);
  }
  await refreshKeys();
}

/** A key's limits were edited; resolves null when saved, else why not (shown in the edit dialog). */
export async function keyLimitsChanged(id: string, patch: UpdateKeyRequest): Promise<string | null> {
  try {
    await api.updateKey(id, patch);
  } catch (err) {
    const field = err instanceof ApiError && err.param ? ` (${err.param})` : '';
    return `The limits were not changed${field}: ${errorMessage(err)}`;
  }
  await refreshKeys();
  return null;
}

export function keyShown(): void {
  useSettings.getState().keyCreated(null); // the secret is forgotten once the dialog closes
}

export async function keyRevoked(id: string): Promise<void> {
  try {
    await api.revokeKey(id);
  } catch (err) {
    useSettings.getState().keysLoaded(useSettings.getState().keys, `The key was not revoked: ${errorMessage(err)}`);
    return;
  }
  await refreshKeys();
}
