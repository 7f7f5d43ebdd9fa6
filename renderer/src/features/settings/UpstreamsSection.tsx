// Settings → Remote servers: other OpenAI-compatible servers (vLLM, TGI, llama-swap, another
// llama-orch) whose models this app serves beside its own, with their health (circuit state, last
// error). The key is sent once, on adding, and never shown again.
import { useCallback, useEffect, useState } from 'react';
import type { UpstreamInput, UpstreamView } from '../../../../electron/contract/index.js';
import { api, errorMessage, isMissingRoute } from '../../lib/api.js';

const REFRESH_MS = 5_000;

function health(u: UpstreamView): string {
  if (u.circuit === 'open') return `unavailable — retry in ${u.retryAfterSeconds ?? '?'} s`;
  if (u.circuit === 'half_open') return 'checking…';
  return u.models === null ? 'not checked yet' : `ok — ${u.models.length} model(s)`;
}

export function UpstreamsSection() {
  const [list, setList] = useState<UpstreamView[] | null>(null);
  const [form, setForm] = useState({ name: '', baseUrl: '', apiKey: '', alias: '', fallback: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(() => {
    api.upstreams().then(
      (r) => setList(r.data),
      (err) => !isMissingRoute(err) && setMessage({ ok: false, text: errorMessage(err) }),
    );
  }, []);
  useEffect(() => {
    refresh();
    const t = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const add = async () => {
    setBusy(true);
    setMessage(null);
    const [ours, theirs] = form.alias.split('=').map((s) => s.trim());
    const body: UpstreamInput = {
      name: form.name.trim(),
      baseUrl: form.baseUrl.trim(),
      ...(form.apiKey ? { apiKey: form.apiKey } : {}),
      ...(ours && theirs ? { aliases: { [ours]: theirs } } : {}),
      ...(form.fallback.trim() ? { fallback: form.fallback.trim() } : {}),
    };
    try {
      const v = await api.addUpstream(body);
      setForm({ name: '', baseUrl: '', apiKey: '', alias: '', fallback: '' });
      setMessage({ ok: true, text: `Added ${v.name}; its models appear once the first health check answers.` });
      refresh();
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async (name: string) => {
    try {
      await api.removeUpstream(name);
      refresh();
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };
  const field = (key: keyof typeof form, label: string, placeholder: string, type = 'text') => (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} placeholder={placeholder} autoComplete="off" data-testid={`upstream-${key}`} />
    </label>
  );
  return (
    <section className="card settings-section" aria-labelledby="s-upstreams" data-testid="settings-upstreams">
      <h2 id="s-upstreams">Remote servers</h2>
      <p>
        Serve the models of another OpenAI-compatible server (vLLM, TGI, llama-swap, another llama-orch) through this app: same keys, limits, logs and reports. Its models are listed as{' '}
        <code>name/model</code>.
      </p>
      {list && list.length > 0 && (
        <table className="table" data-testid="upstreams-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>URL</th>
              <th>Key</th>
              <th>Health</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((u) => (
              <tr key={u.name}>
                <td>
                  {u.name}
                  {Object.keys(u.aliases).length > 0 && <small> ({Object.keys(u.aliases).join(', ')})</small>}
                </td>
                <td>
                  <code>{u.baseUrl}</code>
                </td>
                <td>{u.hasKey ? 'set' : 'none'}</td>
                <td title={u.lastError ?? ''} className={u.circuit === 'closed' ? '' : 'error'}>
                  {health(u)}
                </td>
                <td>
                  <button type="button" className="btn" onClick={() => void remove(u.name)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {field('name', 'Name', 'lab')}
      {field('baseUrl', 'Base URL', 'http://10.0.0.5:8000/v1')}
      {field('apiKey', 'API key (optional; stored encrypted, not shown again)', '', 'password')}
      {field('alias', 'Alias (optional): our name = its model', 'default=meta-llama/Llama-3.1-70B-Instruct')}
      {field('fallback', 'Fallback deployment for the alias while it is down (optional)', 'qwen2.5-7b')}
      <div className="section-foot">
        <button type="button" className="btn primary" disabled={busy || !form.name.trim() || !form.baseUrl.trim()} onClick={() => void add()} data-testid="upstream-add">
          {busy ? 'Adding…' : 'Add server'}
        </button>
        {message && (
          <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'}>
            {message.text}
          </span>
        )}
      </div>
    </section>
  );
}
