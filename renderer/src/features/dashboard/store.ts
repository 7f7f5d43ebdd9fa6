// Dashboard state: core status, instances (kept current by the event stream), hardware with live GPU
// samples, installed engines, library size, and per-instance token rates for the sparklines.
import { create } from 'zustand';
import type { EngineFacts, ProgressEvent, EngineListResponse, GpuLiveReport, HardwareSnapshot, InstanceInfo, StatusResponse } from '../../../../electron/contract/index.js';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'error'; message: string };

const RATE_POINTS = 30;

interface DashboardState {
  status: StatusResponse | null;
  instances: Record<string, InstanceInfo>;
  error: string | null;
  hardware: Loadable<HardwareSnapshot>;
  live: GpuLiveReport | null;
  engines: Loadable<EngineListResponse>;
  modelCount: number | null;
  facts: Record<string, EngineFacts>;
  /** Generation tokens/s of the last answers, per instance. */
  rates: Record<string, number[]>;
  /** An engine installation started from the checklist: why this build, then its progress. */
  engineInstall: { reason: string | null; progress: ProgressEvent | null; error: string | null } | null;
  statusLoaded: (status: StatusResponse) => void;
  instanceChanged: (instance: InstanceInfo) => void;
  instanceRemoved: (id: string) => void;
  loadFailed: (message: string) => void;
  hardwareLoaded: (h: DashboardState['hardware']) => void;
  liveSampled: (r: GpuLiveReport) => void;
  enginesLoaded: (e: DashboardState['engines']) => void;
  modelsCounted: (n: number | null) => void;
  factsRead: (id: string, facts: EngineFacts) => void;
  engineInstallChanged: (e: Partial<NonNullable<DashboardState['engineInstall']>>) => void;
}

export const useDashboard = create<DashboardState>((set) => ({
  status: null,
  instances: {},
  error: null,
  hardware: { state: 'loading' },
  live: null,
  engines: { state: 'loading' },
  modelCount: null,
  facts: {},
  rates: {},
  engineInstall: null,
  statusLoaded: (status) => set({ status, instances: Object.fromEntries(status.instances.map((i) => [i.id, i])), error: null }),
  instanceChanged: (instance) => set((s) => ({ instances: { ...s.instances, [instance.id]: instance } })),
  instanceRemoved: (id) =>
    set((s) => {
      const { [id]: _gone, ...rest } = s.instances;
      return { instances: rest };
    }),
  loadFailed: (message) => set({ error: message }),
  hardwareLoaded: (hardware) => set({ hardware }),
  liveSampled: (live) => set({ live }),
  enginesLoaded: (engines) => set({ engines }),
  modelsCounted: (modelCount) => set({ modelCount }),
  engineInstallChanged: (e) => set((s) => ({ engineInstall: { reason: null, progress: null, error: null, ...s.engineInstall, ...e } })),
  factsRead: (id, facts) =>
    set((s) => {
      const prev = s.facts[id];
      const newAnswer = facts.lastEval && facts.requestsTimed !== prev?.requestsTimed;
      const rates = newAnswer ? { ...s.rates, [id]: [...(s.rates[id] ?? []), facts.lastEval!.tokensPerSecond].slice(-RATE_POINTS) } : s.rates;
      return { facts: { ...s.facts, [id]: facts }, rates };
    }),
}));
