// Logs page state. Lines live in one array that is appended in place (a 100,000-line tail must not
// be copied per frame); `version` changes on every append so views re-render.
import { create } from 'zustand';
import type { InstanceInfo, LogLine } from '../../../../electron/contract/index.js';

export type Level = LogLine['level'];
export const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];
/** Lines kept per view; older ones are dropped (the engine's log files keep everything). */
export const MAX_LINES = 200_000;

interface LogsState {
  instances: InstanceInfo[];
  selected: string | null;
  lines: LogLine[];
  version: number;
  connected: boolean;
  /** Lines that arrived while paused, shown on resume. */
  held: LogLine[];
  paused: boolean;
  follow: boolean;
  filter: string;
  levels: Record<Level, boolean>;
  search: string;
  /** Position in the search matches the view is at. */
  matchCursor: number;
  instancesLoaded: (list: InstanceInfo[]) => void;
  instanceChanged: (i: InstanceInfo) => void;
  instanceRemoved: (id: string) => void;
  instanceSelected: (id: string | null) => void;
  streamOpened: () => void;
  linesArrived: (lines: LogLine[]) => void;
  pauseToggled: () => void;
  followChanged: (follow: boolean) => void;
  filterChanged: (filter: string) => void;
  levelToggled: (level: Level) => void;
  searchChanged: (search: string) => void;
  matchMoved: (cursor: number) => void;
  cleared: () => void;
}

export const useLogs = create<LogsState>((set, get) => ({
  instances: [],
  selected: null,
  lines: [],
  version: 0,
  connected: false,
  held: [],
  paused: false,
  follow: true,
  filter: '',
  levels: { debug: true, info: true, warn: true, error: true },
  search: '',
  matchCursor: 0,
  instancesLoaded: (instances) => set({ instances }),
  instanceChanged: (i) => set((s) => ({ instances: s.instances.some((x) => x.id === i.id) ? s.instances.map((x) => (x.id === i.id ? i : x)) : [...s.instances, i] })),
  instanceRemoved: (id) => set((s) => ({ instances: s.instances.filter((x) => x.id !== id) })),
  instanceSelected: (selected) => set({ selected, lines: [], held: [], version: get().version + 1, connected: false, paused: false, follow: true, matchCursor: 0 }),
  streamOpened: () => set({ connected: true }),
  linesArrived: (incoming) => {
    const s = get();
    if (s.paused) return set({ held: [...s.held, ...incoming] });
    append(s.lines, incoming);
    set({ version: s.version + 1 });
  },
  pauseToggled: () => {
    const s = get();
    if (s.paused) {
      append(s.lines, s.held);
      set({ paused: false, held: [], version: s.version + 1 });
    } else set({ paused: true, follow: false });
  },
  followChanged: (follow) => set({ follow }),
  filterChanged: (filter) => set({ filter, matchCursor: 0 }),
  levelToggled: (level) => set((s) => ({ levels: { ...s.levels, [level]: !s.levels[level] }, matchCursor: 0 })),
  searchChanged: (search) => set({ search, matchCursor: 0 }),
  matchMoved: (matchCursor) => set({ matchCursor, follow: false }),
  cleared: () => set((s) => ({ lines: [], held: [], version: s.version + 1 })),
}));

function append(lines: LogLine[], incoming: LogLine[]): void {
  for (const l of incoming) lines.push(l);
  if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
}
