// Model-library errors: an HttpError (so the API turns them into the one envelope) with a closed code.
import type { ModelErrorCode } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';

const STATUS: Record<ModelErrorCode, number> = {
  model_not_found: 404,
  invalid_model_id: 400,
  model_exists: 409,
  model_loaded: 409,
  not_gguf: 422,
  unsupported_gguf_version: 422,
  truncated_gguf: 422,
  invalid_gguf: 422,
  missing_shard: 422,
  file_not_found: 400,
  hub_error: 502,
  hub_file_not_found: 404,
  ambiguous_file: 400,
  pull_not_found: 404,
  checksum_mismatch: 422,
  insufficient_space: 507,
  offline_mode: 409,
};

export class ModelError extends HttpError {
  constructor(
    readonly modelCode: ModelErrorCode,
    message: string,
    param: string | null = null,
    status = STATUS[modelCode],
  ) {
    super(status, message, undefined, modelCode, param);
    this.name = 'ModelError';
  }
}
