// Validation at the HTTP boundary: parse with a zod schema, or answer 400 naming the field.
import type { z } from 'zod';
import { HttpError } from './errors.js';

export function validate<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  throw new HttpError(400, `invalid ${what}${field ? ` field \`${field}\`` : ''}: ${issue.message}`, 'invalid_request_error', 'invalid_value', field || null);
}
