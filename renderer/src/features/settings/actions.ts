// Settings actions: load, save one section (PATCH), manage API keys, apply the theme.
import type { CreateKeyRequest, SettingsPatch } from '../../../../electron/contract/index.js';
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

export function settingsOpened(): void {
  const s = useSettings.getState();
  api.settings().then(
    (v) => s.settingsLoaded(v),
    (err: unknown) => s.settingsLoaded(null, errorMessage(err)),
  );
  api.status().then((st) => s.dataDirKnown(st.dataDir), () => undefined);
  void refreshKeys();
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
