// The one error envelope every HTTP route returns (OpenAI-shaped: clients read `error.message`).

export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error' | 'engine_error';

export interface ApiError {
  message: string;
  type: ApiErrorType;
  /** Machine-readable code, e.g. `model_not_found`, `invalid_json`, `engine_unavailable`. */
  code: string | null;
  /** The request field the error is about, when there is one. */
  param: string | null;
}

export interface ApiErrorEnvelope {
  error: ApiError;
}

/** Result shape for IPC and other boundaries that must not throw rich errors. */
export type Result<T, C extends string = string> = { ok: true; value: T } | { ok: false; error: { code: C; message: string } };
