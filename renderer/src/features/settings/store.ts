// Settings page state: the core's settings, API keys (a new key's secret is held only until the
// dialog showing it closes), and per-section save results.
import { create } from 'zustand';
import type { ApiKeyInfo, CreateKeyResponse, Settings } from '../../../../electron/contract/index.js';

export type SectionName = keyof Omit<Settings, 'schemaVersion'>;

interface SettingsState {
  settings: Settings | null;
  loadError: string | null;
  dataDir: string | null;
  keys: ApiKeyInfo[] | null;
  keysError: string | null;
  created: CreateKeyResponse | null;
  saving: SectionName | null;
  results: Partial<Record<SectionName, { ok: boolean; message: string }>>;
  settingsLoaded: (settings: Settings | null, error?: string | null) => void;
  dataDirKnown: (dir: string) => void;
  keysLoaded: (keys: ApiKeyInfo[] | null, error?: string | null) => void;
  keyCreated: (created: CreateKeyResponse | null) => void;
  saveStarted: (section: SectionName) => void;
  saveEnded: (section: SectionName, ok: boolean, message: string, settings?: Settings) => void;
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  loadError: null,
  dataDir: null,
  keys: null,
  keysError: null,
  created: null,
  saving: null,
  results: {},
  settingsLoaded: (settings, loadError = null) => set({ settings, loadError }),
  dataDirKnown: (dataDir) => set({ dataDir }),
  keysLoaded: (keys, keysError = null) => set({ keys, keysError }),
  keyCreated: (created) => set({ created }),
  saveStarted: (saving) => set((s) => ({ saving, results: { ...s.results, [saving]: undefined } })),
  saveEnded: (section, ok, message, settings) => set((s) => ({ saving: null, results: { ...s.results, [section]: { ok, message } }, ...(settings ? { settings } : {}) })),
}));
