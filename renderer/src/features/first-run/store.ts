// First-run screen state: the catalogue with this machine's verdicts, whether an engine is there, offline
// mode, and the one-click setup job (engine install, then model pull) with its progress.
import { create } from 'zustand';
import { ENGINE_INSTALL_PROGRESS_KIND, type CatalogResponse, type ProgressEvent } from '../../../../electron/contract/index.js';

export type SetupPhase = 'engine' | 'model' | 'done' | 'failed';

export interface SetupJob {
  entryId: string;
  phase: SetupPhase;
  /** Job id of the engine install or model pull now running (matches its progress events). */
  jobId: string | null;
  progress: ProgressEvent | null;
  error: string | null;
}

interface FirstRunState {
  /** null until known; the screen shows only when the library is empty. */
  libraryEmpty: boolean | null;
  catalog: CatalogResponse | null;
  catalogError: string | null;
  engineInstalled: boolean | null;
  offline: boolean;
  job: SetupJob | null;
  libraryCounted: (empty: boolean) => void;
  catalogLoaded: (catalog: CatalogResponse | null, error?: string | null) => void;
  enginesCounted: (installed: boolean) => void;
  offlineKnown: (offline: boolean) => void;
  setupChanged: (patch: Partial<SetupJob> | null) => void;
  progressSeen: (ev: ProgressEvent) => void;
}

export const useFirstRun = create<FirstRunState>((set) => ({
  libraryEmpty: null,
  catalog: null,
  catalogError: null,
  engineInstalled: null,
  offline: false,
  job: null,
  libraryCounted: (libraryEmpty) => set({ libraryEmpty }),
  catalogLoaded: (catalog, catalogError = null) => set({ catalog, catalogError }),
  enginesCounted: (engineInstalled) => set({ engineInstalled }),
  offlineKnown: (offline) => set({ offline }),
  setupChanged: (patch) => set((s) => ({ job: patch === null ? null : { entryId: '', phase: 'engine', jobId: null, progress: null, error: null, ...s.job, ...patch } })),
  // The engine install answers its job id only when done: during that phase any install progress is its.
  progressSeen: (ev) =>
    set((s) => {
      const job = s.job;
      const mine = job && (job.jobId === ev.id || (job.jobId === null && job.phase === 'engine' && ev.kind === ENGINE_INSTALL_PROGRESS_KIND));
      return mine ? { job: { ...job, progress: ev } } : {};
    }),
}));
