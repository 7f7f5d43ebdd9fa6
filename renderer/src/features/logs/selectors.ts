// The filtered view of the log lines, computed incrementally: when only new lines arrived, only
// they are tested, so following a busy engine stays cheap with 100,000 lines kept.
import type { LogLine } from '../../../../electron/contract/index.js';
import type { Level } from './store.js';

interface FilterCache {
  lines: LogLine[] | null;
  key: string;
  scanned: number;
  firstSeq: number;
  rows: number[];
}

const cache: FilterCache = { lines: null, key: '', scanned: 0, firstSeq: -1, rows: [] };

/** Indices into `lines` of the lines that pass the text filter and the level switches. */
export function filteredRows(lines: LogLine[], filter: string, levels: Record<Level, boolean>): number[] {
  const key = `${filter.toLowerCase()}\u0000${Object.values(levels).join(',')}`;
  const firstSeq = lines[0]?.seq ?? -1;
  // Start over when the filter changed, the array changed, or old lines were dropped from the front.
  if (cache.lines !== lines || cache.key !== key || cache.firstSeq !== firstSeq || cache.scanned > lines.length) {
    Object.assign(cache, { lines, key, scanned: 0, firstSeq, rows: [] });
  }
  const needle = filter.toLowerCase();
  const allLevels = Object.values(levels).every(Boolean);
  const rows = cache.scanned === 0 ? [] : cache.rows;
  for (let i = cache.scanned; i < lines.length; i++) {
    const l = lines[i]!;
    if (!allLevels && !levels[l.level]) continue;
    if (needle && !l.text.toLowerCase().includes(needle)) continue;
    rows.push(i);
  }
  cache.rows = rows;
  cache.scanned = lines.length;
  return rows;
}

/** Positions (in `rows`) of the rows whose text contains the search text. */
export function searchMatches(lines: LogLine[], rows: number[], search: string): number[] {
  if (!search) return [];
  const needle = search.toLowerCase();
  const out: number[] = [];
  for (let r = 0; r < rows.length; r++) if (lines[rows[r]!]!.text.toLowerCase().includes(needle)) out.push(r);
  return out;
}

export function formatLine(l: LogLine): string {
  return `${l.time} ${l.level.toUpperCase().padEnd(5)} ${l.text}`;
}
