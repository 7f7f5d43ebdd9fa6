import { KV_CACHE_TYPES, type KvCacheType, type PlanDevice, type PlanResponse } from '../../../../electron/contract/placement.js';
import { Dialog, ErrorNote, MemoryBar } from '../../components/ui.js';
import { formatBytes } from '../../lib/format.js';
import { loadConfirmed, loadDialogClosed, overridesChanged, saveOptionsChanged } from './actions.js';
import { useModels } from './store.js';

function num(v: string): number | undefined {
  const n = Number(v);
  return v.trim() === '' || !Number.isFinite(n) ? undefined : n;
}

function DeviceBar({ d, totalBytes }: { d: PlanDevice; totalBytes: number | null }) {
  const inUse = totalBytes ? Math.max(0, totalBytes - d.availableBytes) : 0;
  return (
    <div className="plan-device" data-testid={`plan-device-${d.id}`}>
      <div className="section-head">
        <strong>{d.kind === 'cpu' ? 'CPU (system memory)' : `${d.name} (${d.id})`}</strong>
        <span className="muted small">
          {d.layers} layers{d.hasOutput ? ' + output' : ''} · weights {formatBytes(d.weightsBytes)} · KV cache {formatBytes(d.kvBytes)} · compute {formatBytes(d.computeBytes)}
        </span>
      </div>
      <MemoryBar
        label={`${d.id} memory after loading`}
        total={totalBytes ?? d.availableBytes}
        segments={[...(inUse > 0 ? [{ label: 'in use now', bytes: inUse, tone: 'seg-other' }] : []), { label: 'this model', bytes: d.totalBytes, tone: 'seg-new' }]}
      />
    </div>
  );
}

function PlanView({ plan }: { plan: PlanResponse }) {
  const hw = useModels((s) => s.hardware);
  const totalOf = (d: PlanDevice) => (d.kind === 'cpu' ? (hw?.memory.totalBytes ?? null) : (hw?.gpus.find((g) => g.index === d.gpuIndex)?.vramTotalBytes ?? null));
  return (
    <div className="plan" data-testid="plan">
      {plan.plan ? (
        <>
          <p className="plan-summary" data-testid="plan-summary">
            {plan.plan.summary}
          </p>
          {plan.plan.devices.map((d) => (
            <DeviceBar key={d.id} d={d} totalBytes={totalOf(d)} />
          ))}
          {plan.plan.warnings.map((w, i) => (
            <p key={i} className="warn">
              {w}
            </p>
          ))}
        </>
      ) : (
        <p role="alert" className="error" data-testid="plan-refused">
          {plan.error ?? 'This model does not fit with these settings.'}
        </p>
      )}
      {plan.eviction && <p className="warn">{plan.eviction.reason}</p>}
      {plan.rejected.length > 0 && (
        <details open={!plan.plan}>
          <summary>Why not elsewhere ({plan.rejected.length})</summary>
          <ul>
            {plan.rejected.map((r, i) => (
              <li key={i}>
                <strong>{r.device}</strong>: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** Saving the settings as a deployment: they apply again after a restart, under a name and aliases clients use. */
function SaveOptions() {
  const save = useModels((s) => s.load?.save);
  if (!save) return null;
  return (
    <fieldset className="overrides" data-testid="save-deployment">
      <legend>Deployment</legend>
      <label className="check-field">
        <input type="checkbox" checked={save.enabled} onChange={(e) => saveOptionsChanged({ enabled: e.target.checked })} /> Save these settings (they apply after a restart too)
      </label>
      {save.enabled && (
        <>
          <label className="field">
            <span>Name</span>
            <input value={save.name} onChange={(e) => saveOptionsChanged({ name: e.target.value })} />
          </label>
          <label className="field">
            <span>Other names clients may use (comma-separated, e.g. gpt-4o-mini)</span>
            <input value={save.aliases} placeholder="none" onChange={(e) => saveOptionsChanged({ aliases: e.target.value })} />
          </label>
          <label className="check-field">
            <input type="checkbox" checked={save.reproducible} onChange={(e) => saveOptionsChanged({ reproducible: e.target.checked })} /> Reproducible (same seed, same answer)
          </label>
          <label className="check-field">
            <input type="checkbox" checked={save.pinned} onChange={(e) => saveOptionsChanged({ pinned: e.target.checked })} /> Keep loaded
          </label>
        </>
      )}
    </fieldset>
  );
}

export function LoadDialog() {
  const load = useModels((s) => s.load);
  if (!load)
    return (
      <Dialog open={false} title="Load model" onClose={loadDialogClosed}>
        {null}
      </Dialog>
    );
  const o = load.overrides;
  const cpuOnly = o.devices?.length === 1 && o.devices[0] === 'cpu';
  return (
    <Dialog open title={`Load ${load.modelId}`} onClose={loadDialogClosed} wide>
      <div className="load-grid">
        <div>
          <h3>Where it goes</h3>
          {load.plan.state === 'loading' && (
            <p className="muted" aria-busy="true">
              Planning…
            </p>
          )}
          {load.plan.state === 'unavailable' && (
            <p className="muted" data-testid="plan-unavailable">
              The placement preview is not available in this version of the core. The model loads with automatic settings.
            </p>
          )}
          {load.plan.state === 'error' && (
            <p role="alert" className="error">
              {load.plan.message}
            </p>
          )}
          {load.plan.state === 'ready' && <PlanView plan={load.plan.value} />}
        </div>
        <fieldset className="overrides">
          <legend>Settings (optional)</legend>
          <label className="check-field">
            <input type="checkbox" checked={cpuOnly} onChange={(e) => overridesChanged({ devices: e.target.checked ? ['cpu'] : undefined })} /> CPU only
          </label>
          {!cpuOnly &&
            load.deviceChoices.map((d) => (
              <label key={d} className="check-field">
                <input
                  type="checkbox"
                  checked={!o.devices || o.devices.includes(d)}
                  onChange={(e) => {
                    const cur = o.devices ?? load.deviceChoices;
                    const next = e.target.checked ? [...new Set([...cur, d])] : cur.filter((x) => x !== d);
                    overridesChanged({ devices: next.length ? next : ['cpu'] });
                  }}
                />{' '}
                Use {d}
              </label>
            ))}
          <label className="field">
            <span>Layers on GPU (empty: automatic)</span>
            <input type="number" min={0} value={o.nGpuLayers ?? ''} onChange={(e) => overridesChanged({ nGpuLayers: num(e.target.value) })} />
          </label>
          <label className="field">
            <span>Context (tokens per conversation)</span>
            <input type="number" min={256} step={256} value={o.contextSize ?? ''} placeholder="automatic" onChange={(e) => overridesChanged({ contextSize: num(e.target.value) })} />
          </label>
          <label className="field">
            <span>Parallel conversations (slots)</span>
            <input type="number" min={1} max={64} value={o.parallel ?? ''} placeholder="automatic" onChange={(e) => overridesChanged({ parallel: num(e.target.value) })} />
          </label>
          <label className="field">
            <span>KV cache type</span>
            <select
              value={o.cacheTypeK ?? ''}
              onChange={(e) => {
                const t = (e.target.value || undefined) as KvCacheType | undefined;
                overridesChanged({ cacheTypeK: t, cacheTypeV: t });
              }}
            >
              <option value="">automatic</option>
              {KV_CACHE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label className="check-field">
            <input type="checkbox" checked={!!o.force} onChange={(e) => overridesChanged({ force: e.target.checked || undefined })} /> Load even if the estimate says it does not fit
          </label>
        </fieldset>
        <SaveOptions />
      </div>
      <ErrorNote message={load.error} />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={loadDialogClosed}>
          Cancel
        </button>
        <button type="button" className="btn primary" disabled={load.starting || (load.plan.state === 'ready' && !load.plan.value.plan && !o.force)} onClick={() => void loadConfirmed()}>
          {load.starting ? 'Starting…' : 'Load'}
        </button>
      </div>
    </Dialog>
  );
}
