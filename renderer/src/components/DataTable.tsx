// The one table scaffold of the UI: a caption, a header row from the column list (an actions column's
// header read by screen readers only), one row per item with its key, test id and data attributes,
// and the naming column as a row header. Pages describe their columns; the markup is written once.
import type { HTMLAttributes, ReactNode, TdHTMLAttributes } from 'react';
import type { InstanceInfo } from '../../../electron/contract/index.js';

type DataAttributes = { [key: `data-${string}`]: string | boolean | undefined };

export interface Column<T> {
  header: ReactNode;
  /** For an actions column: the header is for screen readers only. */
  hiddenHeader?: boolean;
  /** Tooltip of the header. */
  title?: string;
  /** The column that names the row (rendered as a row header). */
  rowHeader?: boolean;
  className?: string;
  cell: (row: T) => ReactNode;
  cellProps?: (row: T) => TdHTMLAttributes<HTMLTableCellElement> & DataAttributes;
}

export interface DataTableProps<T> {
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & DataAttributes;
  compact?: boolean;
  /** Scroll sideways inside a wrapper when wider than the page. */
  wrap?: boolean;
  caption?: ReactNode;
  testId?: string;
}

export function DataTable<T>({ label, rows, columns, rowKey, rowProps, compact, wrap, caption, testId }: DataTableProps<T>) {
  const table = (
    <table className={compact ? 'table compact' : 'table'} aria-label={label} data-testid={testId}>
      {caption && <caption className="muted small">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" title={c.title}>
              {c.hiddenHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((c, i) => {
              const Cell = c.rowHeader ? 'th' : 'td';
              return (
                <Cell key={i} {...(c.rowHeader ? { scope: 'row' } : {})} className={c.className} {...c.cellProps?.(row)}>
                  {c.cell(row)}
                </Cell>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return wrap ? <div className="table-wrap">{table}</div> : table;
}

const STATE_TEXT: Record<string, string> = { starting: 'Loading…', ready: 'Loaded', stopping: 'Unloading…', failed: 'Failed', stopped: 'Stopped' };

/** An instance's state as a badge (its failure reason as the tooltip), or "not loaded". */
export function InstanceStateBadge({ instance }: { instance: InstanceInfo | null | undefined }) {
  if (!instance) return <span className="muted">not loaded</span>;
  return (
    <span className={`badge state-${instance.state}`} title={instance.reason ?? undefined}>
      {STATE_TEXT[instance.state] ?? instance.state}
    </span>
  );
}
