// Reports page state: the month shown and its report (loaded through actions.ts).
import { create } from 'zustand';
import type { OpsReport } from '../../../../electron/contract/index.js';

interface ReportsState {
  month: string;
  report: OpsReport | null;
  loading: boolean;
  error: string | null;
  monthChosen: (month: string) => void;
  reportLoaded: (report: OpsReport) => void;
  reportFailed: (message: string) => void;
}

export const useReports = create<ReportsState>((set) => ({
  month: new Date().toISOString().slice(0, 7),
  report: null,
  loading: false,
  error: null,
  monthChosen: (month) => set({ month, loading: true, error: null }),
  reportLoaded: (report) => set({ report, loading: false, error: null }),
  reportFailed: (error) => set({ loading: false, error }),
}));
