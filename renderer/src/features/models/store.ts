// Models page state: the library, downloads in progress, hub search, and the import, delete and
// load (placement preview) dialogs.
import { create } from 'zustand';
import type {
  DeploymentListResponse,
  HardwareSnapshot,
  HubSearchHit,
  InstanceInfo,
  ModelListResponse,
  PlanResponse,
  ProgressEvent,
  PullInfo,
  PullModelRequest,
} from '../../../../electron/contract/index.js';
import type { PlacementOverrides } from '../../../../electron/contract/placement.js';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'error'; message: string };

export interface Download {
  id: string;
  request: PullModelRequest;
  progress: ProgressEvent | null;
  /** Paused (by "Pause", or left unfinished by an earlier run of the core): "Resume" continues it. */
  paused: boolean;
}

export interface LoadDialogState {
  modelId: string;
  path: string | null;
  overrides: PlacementOverrides;
  plan: Loadable<PlanResponse>;
  /** Engine devices seen in any plan so far: the choices of the device checkboxes. */
  deviceChoices: string[];
  starting: boolean;
  error: string | null;
  /** Saved as a deployment (name, aliases, reproducible, keep loaded) so it runs the same after a restart. */
  save: { enabled: boolean; name: string; aliases: string; reproducible: boolean; pinned: boolean };
}

interface ModelsState {
  library: Loadable<ModelListResponse>;
  /** Deployments (saved, and models served without one: library defaults, `serve --model` files). */
  deployments: Loadable<DeploymentListResponse>;
  hardware: HardwareSnapshot | null;
  instances: Record<string, InstanceInfo>;
  /** Model ids kept loaded: never unloaded when idle, never evicted to make room (settings.models.pinned). */
  pinned: string[];
  downloads: Record<string, Download>;
  search: { query: string; busy: boolean; hits: HubSearchHit[] | null; error: string | null };
  importDialog: { open: boolean; busy: boolean; error: string | null };
  confirmDelete: string | null;
  load: LoadDialogState | null;
  notice: string | null;
  error: string | null;

  libraryLoaded: (l: Loadable<ModelListResponse>) => void;
  deploymentsLoaded: (d: Loadable<DeploymentListResponse>) => void;
  hardwareLoaded: (h: HardwareSnapshot) => void;
  instancesSeen: (list: InstanceInfo[]) => void;
  instanceChanged: (i: InstanceInfo) => void;
  instanceRemoved: (id: string) => void;
  pinnedChanged: (pinned: string[]) => void;
  downloadStarted: (id: string, request: PullModelRequest) => void;
  downloadProgressed: (p: ProgressEvent) => void;
  /** A pull the core lists (e.g. paused before a restart) that this page has not seen yet. */
  downloadListed: (p: PullInfo) => void;
  downloadPaused: (id: string, paused: boolean) => void;
  downloadDismissed: (id: string) => void;
  searchChanged: (s: Partial<ModelsState['search']>) => void;
  importDialogChanged: (d: Partial<ModelsState['importDialog']>) => void;
  deleteAsked: (id: string | null) => void;
  loadDialogChanged: (l: Partial<LoadDialogState> | null) => void;
  noticeShown: (notice: string | null) => void;
  failed: (error: string | null) => void;
}

export const useModels = create<ModelsState>((set) => ({
  library: { state: 'loading' },
  deployments: { state: 'loading' },
  hardware: null,
  instances: {},
  pinned: [],
  downloads: {},
  search: { query: '', busy: false, hits: null, error: null },
  importDialog: { open: false, busy: false, error: null },
  confirmDelete: null,
  load: null,
  notice: null,
  error: null,

  libraryLoaded: (library) => set({ library }),
  deploymentsLoaded: (deployments) => set({ deployments }),
  hardwareLoaded: (hardware) => set({ hardware }),
  instancesSeen: (list) => set({ instances: Object.fromEntries(list.map((i) => [i.id, i])) }),
  instanceChanged: (i) => set((s) => ({ instances: { ...s.instances, [i.id]: i } })),
  instanceRemoved: (id) =>
    set((s) => {
      const { [id]: _gone, ...rest } = s.instances;
      return { instances: rest };
    }),
  pinnedChanged: (pinned) => set({ pinned }),
  downloadStarted: (id, request) => set((s) => ({ downloads: { ...s.downloads, [id]: { id, request, progress: s.downloads[id]?.progress ?? null, paused: false } } })),
  downloadProgressed: (p) =>
    set((s) => {
      const d = s.downloads[p.id];
      if (!d) return { downloads: { ...s.downloads, [p.id]: { id: p.id, request: { repo: p.label }, progress: p, paused: false } } };
      return { downloads: { ...s.downloads, [p.id]: { ...d, progress: p, paused: p.state === 'paused' || (d.paused && p.state !== 'running') } } };
    }),
  downloadListed: (p) =>
    set((s) => {
      if (s.downloads[p.id]) return {};
      const file = p.files[0];
      const state = p.state === 'paused' ? 'paused' : p.state === 'done' || p.state === 'failed' || p.state === 'cancelled' ? p.state : 'running';
      const progress: ProgressEvent = {
        type: 'progress',
        kind: 'model-pull',
        id: p.id,
        label: `${p.repo}: ${file ?? ''}`,
        state,
        bytes: p.bytes,
        totalBytes: p.totalBytes,
        bytesPerSecond: null,
        etaSeconds: null,
        error: p.error,
      };
      return { downloads: { ...s.downloads, [p.id]: { id: p.id, request: { repo: p.repo, ...(file ? { file } : {}) }, progress, paused: p.state === 'paused' } } };
    }),
  downloadPaused: (id, paused) => set((s) => (s.downloads[id] ? { downloads: { ...s.downloads, [id]: { ...s.downloads[id], paused } } } : {})),
  downloadDismissed: (id) =>
    set((s) => {
      const { [id]: _gone, ...rest } = s.downloads;
      return { downloads: rest };
    }),
  searchChanged: (search) => set((s) => ({ search: { ...s.search, ...search } })),
  importDialogChanged: (d) => set((s) => ({ importDialog: { ...s.importDialog, ...d } })),
  deleteAsked: (confirmDelete) => set({ confirmDelete }),
  loadDialogChanged: (l) => set((s) => ({ load: l === null ? null : s.load ? { ...s.load, ...l } : (l as LoadDialogState) })),
  noticeShown: (notice) => set({ notice }),
  failed: (error) => set({ error }),
}));
