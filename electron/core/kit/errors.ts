// Kit errors: an HttpError (the API can return it as the one envelope) with a closed code; `file`
// names the kit file at fault so the CLI and UI can say which one.
import { HttpError } from '../util/errors.js';

export type KitErrorCode = 'kit_invalid' | 'kit_incomplete' | 'kit_tampered' | 'kit_conflict' | 'kit_target' | 'not_found';

const STATUS: Record<KitErrorCode, number> = { kit_invalid: 422, kit_incomplete: 422, kit_tampered: 422, kit_conflict: 409, kit_target: 400, not_found: 404 };

export class KitError extends HttpError {
  constructor(
    readonly kitCode: KitErrorCode,
    message: string,
    readonly file: string | null = null,
  ) {
    super(STATUS[kitCode], message, undefined, kitCode, file ? 'file' : null);
    this.name = 'KitError';
  }
}
