// Errors that carry their HTTP status and OpenAI envelope fields, thrown inside the core and
// turned into the one envelope at the HTTP boundary.
import type { ApiErrorEnvelope, ApiErrorType } from '../../contract/index.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType = status === 404 ? 'not_found_error' : status < 500 ? 'invalid_request_error' : 'server_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toEnvelope(): ApiErrorEnvelope {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
