// The limits of an API key as form fields (create and edit share them), and how a key's limits and
// usage read in the key list.
import type { ApiKeyInfo, KeyLimits } from '../../../../electron/contract/index.js';

/** The form's text values; an empty field means "no limit". */
export interface LimitsForm {
  models: string;
  expires: string;
  rpm: string;
  tokensPerDay: string;
  tokensPerMonth: string;
}

export const EMPTY_LIMITS: LimitsForm = { models: '', expires: '', rpm: '', tokensPerDay: '', tokensPerMonth: '' };

export function limitsFormOf(k: KeyLimits): LimitsForm {
  const n = (v: number | null) => (v === null ? '' : String(v));
  return { models: k.models?.join(', ') ?? '', expires: k.expiresAt ? k.expiresAt.slice(0, 10) : '', rpm: n(k.rpm), tokensPerDay: n(k.tokensPerDay), tokensPerMonth: n(k.tokensPerMonth) };
}

/** The form as limits; empty fields are null (no limit). Numbers are checked by the core (400 naming the field). */
export function limitsOfForm(f: LimitsForm): KeyLimits {
  const n = (v: string) => (v.trim() === '' ? null : Number(v.trim()));
  const models = f.models
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { models: models.length ? models : null, expiresAt: f.expires.trim() || null, rpm: n(f.rpm), tokensPerDay: n(f.tokensPerDay), tokensPerMonth: n(f.tokensPerMonth) };
}

export function KeyLimitsFields({ value, onChange }: { value: LimitsForm; onChange: (next: LimitsForm) => void }) {
  const field = (name: keyof LimitsForm, label: string, props: Record<string, string>) => (
    <label className="field">
      <span>{label}</span>
      <input value={value[name]} onChange={(e) => onChange({ ...value, [name]: e.target.value })} data-testid={`key-limit-${name}`} {...props} />
    </label>
  );
  return (
    <div className="key-limits">
      {field('models', 'Models it may use (names or aliases, comma-separated; empty: all)', { placeholder: 'e.g. search, embeddings' })}
      {field('expires', 'Valid through (empty: no expiry)', { type: 'date' })}
      {field('rpm', 'Requests per minute (empty: no limit)', { inputMode: 'numeric' })}
      {field('tokensPerDay', 'Tokens per day (empty: no limit)', { inputMode: 'numeric' })}
      {field('tokensPerMonth', 'Tokens per month (empty: no limit)', { inputMode: 'numeric' })}
    </div>
  );
}

/** "search, emb · 60/min · until 31 Jan 2027", or "all models". */
export function limitsSummary(k: ApiKeyInfo): string {
  const parts = [k.models ? k.models.join(', ') : 'all models'];
  if (k.rpm !== null) parts.push(`${k.rpm}/min`);
  if (k.expiresAt) parts.push(`${Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'until'} ${new Date(k.expiresAt).toLocaleDateString()}`);
  return parts.join(' · ');
}

/** "12 requests, 3,400 of 2,000,000 tokens". */
export function usageText(count: { requests: number; tokens: number } | undefined, quota: number | null): string {
  if (!count) return '—';
  const fmt = (n: number) => n.toLocaleString();
  return `${fmt(count.requests)} req, ${fmt(count.tokens)}${quota !== null ? ` of ${fmt(quota)}` : ''} tokens`;
}
