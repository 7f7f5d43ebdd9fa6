// Small shared building blocks: bars, sparkline, empty states, copy button, modal dialog.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatBytes, percent } from '../lib/format.js';

export function ProgressBar({ value, max, label }: { value: number; max: number | null; label: string }) {
  const pct = max ? percent(value, max) : null;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct === null ? undefined : Math.round(pct)}>
      <div className={`progress-fill${pct === null ? ' indeterminate' : ''}`} style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}

export interface BarSegment {
  label: string;
  bytes: number;
  /** CSS class of the segment colour: seg-0 … seg-5, seg-other, seg-new. */
  tone: string;
}

/** A memory bar: coloured segments (instances, other use, a planned model) over a total. */
export function MemoryBar({ total, segments, label }: { total: number | null; segments: BarSegment[]; label: string }) {
  const used = segments.reduce((a, s) => a + s.bytes, 0);
  return (
    <div className="membar-wrap">
      <div className="membar" role="img" aria-label={`${label}: ${formatBytes(used)} of ${formatBytes(total)} used`}>
        {total ? segments.map((s, i) => <div key={i} className={`membar-seg ${s.tone}`} style={{ width: `${percent(s.bytes, total)}%` }} title={`${s.label}: ${formatBytes(s.bytes)}`} />) : null}
      </div>
      <ul className="membar-legend">
        {segments.map((s, i) => (
          <li key={i}>
            <span className={`swatch ${s.tone}`} aria-hidden="true" /> {s.label} {formatBytes(s.bytes)}
          </li>
        ))}
        <li className="muted">of {formatBytes(total)}</li>
      </ul>
    </div>
  );
}

export function Sparkline({ values, label, width = 120, height = 28 }: { values: number[]; label: string; width?: number; height?: number }) {
  if (values.length === 0) return <span className="muted sparkline-empty">no answers yet</span>;
  if (values.length === 1) values = [values[0]!, values[0]!];
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={`${label}: latest ${values[values.length - 1]!.toFixed(0)}, peak ${max.toFixed(0)}`}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty" data-testid="empty-state">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorNote({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'idle' | 'ok' | 'failed'>('idle');
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setDone('ok'),
      () => setDone('failed'),
    );
    setTimeout(() => setDone('idle'), 1500);
  };
  return (
    <button type="button" className="btn small" onClick={copy}>
      {done === 'ok' ? 'Copied' : done === 'failed' ? 'Copy failed' : label}
    </button>
  );
}

/** A modal dialog (native <dialog>: focus trapping and Escape come from the browser). */
export function Dialog({ open, title, onClose, children, wide }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`dialog${wide ? ' wide' : ''}`} aria-label={title} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <header className="dialog-head">
            <h2>{title}</h2>
            <button type="button" className="btn ghost" aria-label="Close" onClick={onClose}>
              ✕
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

/**
 * "Are you sure?" for destructive actions: Keep it (default) or the named action. Open while
 * `subject` (what the action is about, e.g. an id) is set; either button closes it.
 */
export function ConfirmDialog<T>({
  subject,
  title,
  action,
  testId,
  onClose,
  onConfirm,
  children,
}: {
  subject: T | null;
  title: string;
  action: string;
  testId?: string;
  onClose: () => void;
  onConfirm: (subject: T) => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={subject !== null} title={title} onClose={onClose}>
      {children}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Keep it
        </button>
        <button
          type="button"
          className="btn danger"
          data-testid={testId}
          onClick={() => {
            if (subject !== null) onConfirm(subject);
            onClose();
          }}
        >
          {action}
        </button>
      </div>
    </Dialog>
  );
}

export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{children}</span>
    </div>
  );
}
