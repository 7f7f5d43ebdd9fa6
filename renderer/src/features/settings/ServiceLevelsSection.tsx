// Settings → Service levels: the targets the operations report and the error-budget alert measure
// against (global, and per deployment where one differs), when availability counts (24/7 or
// business hours in a time zone), the alert webhook and the cost figures.
import { useState } from 'react';
import type { Settings } from '../../../../electron/contract/index.js';
import { sectionSaved } from './actions.js';
import { Section } from './Section.js';
import { serviceLevelsForm, serviceLevelsPatch, type ServiceLevelsForm } from './selectors.js';

const DAYS: [number, string][] = [
  [1, 'Mon'],
  [2, 'Tue'],
  [3, 'Wed'],
  [4, 'Thu'],
  [5, 'Fri'],
  [6, 'Sat'],
  [0, 'Sun'],
];
const ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? ['UTC', ...Intl.supportedValuesOf('timeZone')] : ['UTC'];

function Field({
  label,
  value,
  onChange,
  testId,
  ...rest
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId?: string;
  type?: string;
  step?: string;
  placeholder?: string;
  list?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} {...rest} />
    </label>
  );
}

function Overrides({ f, set }: { f: ServiceLevelsForm; set: (f: ServiceLevelsForm) => void }) {
  const change = (i: number, patch: Partial<ServiceLevelsForm['overrides'][number]>) => set({ ...f, overrides: f.overrides.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  return (
    <fieldset>
      <legend>Deployments with their own targets (empty fields: the targets above)</legend>
      {f.overrides.map((o, i) => (
        <div key={i} className="row" data-testid="slo-override">
          <input aria-label="Deployment" placeholder="deployment" value={o.deployment} onChange={(e) => change(i, { deployment: e.target.value })} />
          <input aria-label="Availability %" placeholder="availability %" type="number" step="any" value={o.availability} onChange={(e) => change(i, { availability: e.target.value })} />
          <input aria-label="TTFT p95 ms" placeholder="TTFT p95 ms" type="number" step="any" value={o.ttftMs} onChange={(e) => change(i, { ttftMs: e.target.value })} />
          <input aria-label="Error rate %" placeholder="error rate %" type="number" step="any" value={o.errorRate} onChange={(e) => change(i, { errorRate: e.target.value })} />
          <button type="button" className="btn" onClick={() => set({ ...f, overrides: f.overrides.filter((_, j) => j !== i) })}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="btn" onClick={() => set({ ...f, overrides: [...f.overrides, { deployment: '', availability: '', ttftMs: '', errorRate: '' }] })} data-testid="slo-override-add">
        Add a deployment
      </button>
    </fieldset>
  );
}

export function ServiceLevelsSection({ s }: { s: Settings }) {
  const [f, set] = useState(() => serviceLevelsForm(s.reports));
  const toggleDay = (d: number) => set({ ...f, days: f.days.includes(d) ? f.days.filter((x) => x !== d) : [...f.days, d] });
  return (
    <Section name="reports" title="Service levels and alerts" onSave={() => void sectionSaved('reports', serviceLevelsPatch(f))}>
      <Field label="Availability target (%)" type="number" step="any" value={f.availability} onChange={(v) => set({ ...f, availability: v })} testId="slo-availability" />
      <Field label="Time to first token, p95 target (ms)" type="number" step="any" value={f.ttftMs} onChange={(v) => set({ ...f, ttftMs: v })} testId="slo-ttft" />
      <Field
        label="Error-rate target (%; errors burning this budget fast raise an alert)"
        type="number"
        step="any"
        value={f.errorRate}
        onChange={(v) => set({ ...f, errorRate: v })}
        testId="slo-error-rate"
      />
      <label className="check-field">
        <input type="checkbox" checked={f.allWeek} onChange={(e) => set({ ...f, allWeek: e.target.checked })} data-testid="slo-all-week" /> Availability counts around the clock (24/7)
      </label>
      {!f.allWeek && (
        <fieldset data-testid="slo-business-hours">
          <legend>Business hours</legend>
          {DAYS.map(([d, name]) => (
            <label key={d} className="check-field">
              <input type="checkbox" checked={f.days.includes(d)} onChange={() => toggleDay(d)} /> {name}
            </label>
          ))}
          <Field label="From" type="time" value={f.from} onChange={(v) => set({ ...f, from: v })} testId="slo-from" />
          <Field label="To (24:00 for midnight)" value={f.to} onChange={(v) => set({ ...f, to: v })} testId="slo-to" />
        </fieldset>
      )}
      <Field label="Time zone (business hours and the report's months)" list="slo-zones" value={f.timeZone} onChange={(v) => set({ ...f, timeZone: v })} testId="slo-time-zone" />
      <datalist id="slo-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <Overrides f={f} set={set} />
      <Field
        label="Alert webhook URL (JSON POST; empty: none)"
        value={f.webhookUrl}
        onChange={(v) => set({ ...f, webhookUrl: v })}
        placeholder="https://hooks.example.com/llama-orch"
        testId="slo-webhook"
      />
      <Field label={`Electricity price per kWh (${f.currency})`} type="number" step="any" value={f.pricePerKwh} onChange={(v) => set({ ...f, pricePerKwh: v })} />
      <Field label={`Hardware amortisation per month (${f.currency})`} type="number" step="any" value={f.amortisation} onChange={(v) => set({ ...f, amortisation: v })} />
      <Field
        label={`Public API price per million tokens, for comparison (${f.currency}; empty: none)`}
        type="number"
        step="any"
        value={f.referencePrice}
        onChange={(v) => set({ ...f, referencePrice: v })}
      />
      <Field label="CPU TDP in watts, for the CPU energy estimate (empty: no estimate)" type="number" step="any" value={f.cpuTdp} onChange={(v) => set({ ...f, cpuTdp: v })} />
      <Field label="Currency" value={f.currency} onChange={(v) => set({ ...f, currency: v })} />
    </Section>
  );
}
