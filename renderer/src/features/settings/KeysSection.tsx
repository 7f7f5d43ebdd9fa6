import { useState, type FormEvent } from 'react';
import type { KeyScope } from '../../../../electron/contract/index.js';
import { ConfirmDialog, CopyButton, Dialog, EmptyState, ErrorNote } from '../../components/ui.js';
import { keyCreateRequested, keyRevoked, keyShown } from './actions.js';
import { useSettings } from './store.js';

export function KeysSection() {
  const { keys, keysError, created } = useSettings();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<KeyScope>('inference');
  const [confirm, setConfirm] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    void keyCreateRequested({ name: name.trim(), scope }).then(() => setName(''));
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
              <th scope="col">Created</th>
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
                <td>{new Date(k.createdAt).toLocaleString()}</td>
                <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>
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
      </form>
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
      <ConfirmDialog
        subject={confirm}
        title="Revoke API key"
        action="Revoke"
        testId="key-revoke-confirm"
        onClose={() => setConfirm(null)}
        onConfirm={(id) => void keyRevoked(id)}
      >
        <p>Programs using this key stop working at once.</p>
      </ConfirmDialog>
    </section>
  );
}
