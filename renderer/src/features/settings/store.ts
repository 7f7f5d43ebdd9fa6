// Settings page state: the core's settings, API keys (a new key's secret is held only until the
// dialog showing it closes), installed engines with an installation in progress, and per-section
// save results.
import { create } from 'zustand';
import type { ApiKeyInfo, CreateKeyResponse, EngineCheckReport, EngineDefaultsResponse, EngineListResponse, ProgressEvent, Settings } from '../../../../electron/contract/index.js';

export type SectionName = keyof Omit<Settings, 'schemaVersion'>;

export interface EngineInstallJob {
  /** The ProgressEvent id of the job, once the core answered. */
  jobId: string | null;
  reason: string | null;
  progress: ProgressEvent | null;
  error: string | null;
}

/** The default engine, the newest check report, and what the last upgrade action said. */
export interface EngineUpgradeState {
  defaults: EngineDefaultsResponse | null;
  report: EngineCheckReport | null;
  /** The action running now ("Checking llama-b2…"), null when idle. */
  busy: string | null;
  result: { ok: boolean; message: string } | null;
}

interface SettingsState {
  settings: Settings | null;
  loadError: string | null;
  dataDir: string | null;
  /** The core's version (GET status), for the About section. */
  appVersion: string | null;
  keys: ApiKeyInfo[] | null;
  keysError: string | null;
  created: CreateKeyResponse | null;
  engines: EngineListResponse | null;
  enginesError: string | null;
  engineInstall: EngineInstallJob | null;
  engineRemoval: { ok: boolean; message: string } | null;
  upgrade: EngineUpgradeState;
  saving: SectionName | null;
  results: Partial<Record<SectionName, { ok: boolean; message: string }>>;
  settingsLoaded: (settings: Settings | null, error?: string | null) => void;
  statusKnown: (dataDir: string, appVersion: string) => void;
  keysLoaded: (keys: ApiKeyInfo[] | null, error?: string | null) => void;
  keyCreated: (created: CreateKeyResponse | null) => void;
  enginesLoaded: (engines: EngineListResponse | null, error?: string | null) => void;
  engineInstallChanged: (job: Partial<EngineInstallJob> | null) => void;
  engineRemovalEnded: (result: SettingsState['engineRemoval']) => void;
  engineUpgradeChanged: (change: Partial<EngineUpgradeState>) => void;
  saveStarted: (section: SectionName) => void;
  saveEnded: (section: SectionName, ok: boolean, message: string, settings?: Settings) => void;
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  loadError: null,
  dataDir: null,
  appVersion: null,
  keys: null,
  keysError: null,
  created: null,
  engines: null,
  enginesError: null,
  engineInstall: null,
  engineRemoval: null,
  upgrade: { defaults: null, report: null, busy: null, result: null },
  saving: null,
  results: {},
  settingsLoaded: (settings, loadError = null) => set({ settings, loadError }),
  statusKnown: (dataDir, appVersion) => set({ dataDir, appVersion }),
  keysLoaded: (keys, keysError = null) => set({ keys, keysError }),
  keyCreated: (created) => set({ created }),
  enginesLoaded: (engines, enginesError = null) => set({ engines, enginesError }),
  engineInstallChanged: (job) => set((s) => ({ engineInstall: job === null ? null : { jobId: null, reason: null, progress: null, error: null, ...s.engineInstall, ...job } })),
  engineRemovalEnded: (engineRemoval) => set({ engineRemoval }),
  engineUpgradeChanged: (change) => set((s) => ({ upgrade: { ...s.upgrade, ...change } })),
  saveStarted: (saving) => set((s) => ({ saving, results: { ...s.results, [saving]: undefined } })),
  saveEnded: (section, ok, message, settings) => set((s) => ({ saving: null, results: { ...s.results, [section]: { ok, message } }, ...(settings ? { settings } : {}) })),
}));
