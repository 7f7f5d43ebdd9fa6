// API keys: create (with optional limits), list with limits and usage today / this month, edit a
// key's limits, revoke.
import { useState, type FormEvent } from 'react';
import type { ApiKeyInfo, KeyScope } from '../../../../electron/contract/index.js';
import { ConfirmDialog, CopyButton, Dialog, EmptyState, ErrorNote } from '../../components/ui.js';
import { keyCreateRequested, keyLimitsChanged, keyRevoked, keyShown } from './actions.js';
import { EMPTY_LIMITS, KeyLimitsFields, limitsFormOf, limitsOfForm, limitsSummary, usageText, type LimitsForm } from './KeyLimitsFields.js';
import { useSettings } from './store.js';

export function KeysSection() {
  const { keys, keysError, created } = useSettings();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<KeyScope>('inference');
  const [limits, setLimits] = useState<LimitsForm>(EMPTY_LIMITS);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [editing, setEditing] = useState<ApiKeyInfo | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    // Only the limits that were filled in are sent: an empty field means no limit.
    const given = Object.fromEntries(Object.entries(limitsOfForm(limits)).filter(([, v]) => v !== null));
    void keyCreateRequested({ name: name.trim(), scope, ...given }).then(() => {
      setName('');
      setLimits(EMPTY_LIMITS);
    });
  };
  return (
    <section className="card settings-section" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">
        Programs on other computers need a key. Once any key exists, every program must send one (<code>Authorization: Bearer …</code>), on this computer too.
      </p>
      <ErrorNote message={keysError} />
      {keys && keys.length === 0 && <EmptyState title="No API keys yet.">Without keys, only programs on this computer can use the API.</EmptyState>}
      {keys && keys.length > 0 && (
        <table className="table compact" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Key starts with</th>
              <th scope="col">May use</th>
              <th scope="col">Today</th>
              <th scope="col">This month</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-testid={`key-${k.name}`}>
                <td>{k.name}</td>
                <td>{k.scope}</td>
                <td className="mono">{k.prefix}…</td>
                <td>{limitsSummary(k)}</td>
                <td data-testid="key-usage-today">{usageText(k.usage?.today, k.tokensPerDay)}</td>
                <td>{usageText(k.usage?.thisMonth, k.tokensPerMonth)}</td>
                <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>
                  <button type="button" className="btn small" onClick={() => setEditing(k)} aria-label={`Edit limits of ${k.name}`}>
                    Limits
                  </button>{' '}
                  <button type="button" className="btn small danger" onClick={() => setConfirm(k.id)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form" onSubmit={submit}>
        <label className="inline-field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Sales laptop" data-testid="key-name" />
        </label>
        <label className="inline-field">
          <span>Scope</span>
          <select value={scope} onChange={(e) => setScope(e.target.value as KeyScope)}>
            <option value="inference">inference (chat and completions)</option>
            <option value="admin">admin (also manage llama-orch)</option>
          </select>
        </label>
        <button type="submit" className="btn primary" disabled={!name.trim()} data-testid="key-create">
          Create key
        </button>
        <details className="key-limits-details">
          <summary>Limits (optional)</summary>
          <KeyLimitsFields value={limits} onChange={setLimits} />
        </details>
      </form>
      {editing && <EditLimitsDialog k={editing} onClose={() => setEditing(null)} />}
      <Dialog open={created !== null} title="Your new API key" onClose={keyShown}>
        <p>Copy it now: it is shown only this once.</p>
        <div className="snippet">
          <code className="mono" data-testid="new-key">
            {created?.key}
          </code>
          <CopyButton text={created?.key ?? ''} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn primary" onClick={keyShown}>
            Done
          </button>
        </div>
      </Dialog>
      <ConfirmDialog subject={confirm} title="Revoke API key" action="Revoke" testId="key-revoke-confirm" onClose={() => setConfirm(null)} onConfirm={(id) => void keyRevoked(id)}>
        <p>Programs using this key stop working at once.</p>
      </ConfirmDialog>
    </section>
  );
}

function EditLimitsDialog({ k, onClose }: { k: ApiKeyInfo; onClose: () => void }) {
  const [form, setForm] = useState<LimitsForm>(limitsFormOf(k));
  const [error, setError] = useState<string | null>(null);
  const save = (e: FormEvent) => {
    e.preventDefault();
    void keyLimitsChanged(k.id, limitsOfForm(form)).then((why) => (why ? setError(why) : onClose()));
  };
  return (
    <Dialog open title={`Limits of ${k.name}`} onClose={onClose}>
      <form onSubmit={save}>
        <ErrorNote message={error} />
        <KeyLimitsFields value={form} onChange={setForm} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" data-testid="key-limits-save">
            Save limits
          </button>
        </div>
      </form>
    </Dialog>
  );
}
