// Dashboard state: core status and instances, kept current by the event stream.
import { create } from 'zustand';
import type { InstanceInfo, StatusResponse } from '../../../../electron/contract/index.js';

interface DashboardState {
  status: StatusResponse | null;
  instances: Record<string, InstanceInfo>;
  error: string | null;
  statusLoaded: (status: StatusResponse) => void;
  instanceChanged: (instance: InstanceInfo) => void;
  instanceRemoved: (id: string) => void;
  loadFailed: (message: string) => void;
}

export const useDashboard = create<DashboardState>((set) => ({
  status: null,
  instances: {},
  error: null,
  statusLoaded: (status) => set({ status, instances: Object.fromEntries(status.instances.map((i) => [i.id, i])), error: null }),
  instanceChanged: (instance) => set((s) => ({ instances: { ...s.instances, [instance.id]: instance } })),
  instanceRemoved: (id) =>
    set((s) => {
      const { [id]: _gone, ...rest } = s.instances;
      return { instances: rest };
    }),
  loadFailed: (message) => set({ error: message }),
}));
