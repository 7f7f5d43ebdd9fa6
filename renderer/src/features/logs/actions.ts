// Logs page actions: pick an instance and follow its log tail; lines are batched per animation frame.
import { api } from '../../lib/api.js';
import { FrameBatcher } from '../../lib/frame-batcher.js';
import { navigate } from '../../lib/router.js';
import { filteredRows, formatLine } from './selectors.js';
import { useLogs } from './store.js';

/** Lines fetched when a tail opens (then live lines follow). */
export const TAIL_LINES = 100_000;

export function logsOpened(): () => void {
  const s = useLogs.getState();
  api.instances().then(
    (r) => useLogs.getState().instancesLoaded(r.data),
    () => undefined,
  );
  const off = api.onEvent((ev) => {
    const st = useLogs.getState();
    if (ev.type === 'instance.state') st.instanceChanged(ev.instance);
    else if (ev.type === 'instance.removed') st.instanceRemoved(ev.id);
  });
  return () => {
    off();
    s.instanceSelected(null);
  };
}

/** Follow one instance's log; returns the cleanup. */
export function tailOpened(id: string): () => void {
  useLogs.getState().instanceSelected(id);
  const batcher = new FrameBatcher<import('../../../../electron/contract/index.js').LogLine>((lines) => useLogs.getState().linesArrived(lines));
  const off = api.onLogs(
    id,
    TAIL_LINES,
    (line) => batcher.push(line),
    () => useLogs.getState().streamOpened(),
  );
  return () => {
    off();
    batcher.cancel();
  };
}

export function instancePicked(id: string): void {
  navigate('logs', { instance: id });
}

function visibleText(): string {
  const s = useLogs.getState();
  return filteredRows(s.lines, s.filter, s.levels)
    .map((i) => formatLine(s.lines[i]!))
    .join('\n');
}

export async function copyRequested(): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(visibleText());
    return true;
  } catch {
    return false;
  }
}

export function downloadRequested(): void {
  const s = useLogs.getState();
  const url = URL.createObjectURL(new Blob([visibleText() + '\n'], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${s.selected ?? 'engine'}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
