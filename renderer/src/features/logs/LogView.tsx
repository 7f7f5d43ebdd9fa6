// The virtualized log list: only the rows on screen exist in the DOM, so 100,000 lines scroll and
// filter smoothly.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';
import type { LogLine } from '../../../../electron/contract/index.js';
import { useLogs } from './store.js';

const ROW_HEIGHT = 20;

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    if (at > from) out.push(text.slice(from, at));
    out.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  out.push(text.slice(from));
  return out;
}

export function LogView({ lines, rows, matches }: { lines: LogLine[]; rows: number[]; matches: number[] }) {
  const { follow, search, matchCursor, version } = useLogs();
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const needle = search.toLowerCase();
  const current = matches[matchCursor];

  useEffect(() => {
    if (follow && rows.length) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [follow, version, rows.length, virtualizer]);
  useEffect(() => {
    if (current !== undefined) virtualizer.scrollToIndex(current, { align: 'center' });
  }, [current, virtualizer]);

  const onScroll = () => {
    const el = parent.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (atBottom !== useLogs.getState().follow && !useLogs.getState().paused) useLogs.getState().followChanged(atBottom);
  };

  return (
    <div ref={parent} className="logview" onScroll={onScroll} tabIndex={0} role="log" aria-label="Engine log" aria-live="off" data-testid="logview" data-rows={rows.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const l = lines[rows[v.index]!]!;
          return (
            <div
              key={v.key}
              className={`logline lvl-${l.level}${v.index === current ? ' current' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}
            >
              <span className="log-time">{l.time.slice(11, 23)}</span>
              <span className="log-level">{l.level}</span>
              <span className="log-text">{highlight(l.text, needle)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
