// Secrets out of structured data that leaves the process (kits, diagnostics bundles): every field
// whose name says it holds a credential is replaced, whatever its nesting. Free text (logs) is the
// business of redact.ts; this one handles settings and other JSON.

const SECRET_NAME = /token|secret|password|passwd|credential|api[-_]?key|^key$|authorization|cookie/i;
export const SECRET_REMOVED = '[removed]';

/** A deep copy of `value` with each secret-named field that holds something set to SECRET_REMOVED. */
export function withoutSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_NAME.test(k) && v !== null && v !== undefined && v !== '' ? SECRET_REMOVED : withoutSecrets(v);
  }
  return out as T;
}
