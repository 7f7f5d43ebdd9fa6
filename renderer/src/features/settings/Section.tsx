// One settings section: a form with its title, its fields and a Save button that shows the result.
import type { FormEvent, ReactNode } from 'react';
import { useSettings, type SectionName } from './store.js';

export function Section({ name, title, onSave, children }: { name: SectionName; title: string; onSave: () => void; children: ReactNode }) {
  const { saving, results } = useSettings();
  const r = results[name];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave();
  };
  return (
    <form className="card settings-section" onSubmit={submit} aria-labelledby={`s-${name}`} data-testid={`settings-${name}`}>
      <h2 id={`s-${name}`}>{title}</h2>
      {children}
      <div className="section-foot">
        <button type="submit" className="btn primary" disabled={saving === name}>
          {saving === name ? 'Saving…' : 'Save'}
        </button>
        {r && (
          <span role={r.ok ? 'status' : 'alert'} className={r.ok ? 'ok' : 'error'}>
            {r.message}
          </span>
        )}
      </div>
    </form>
  );
}
