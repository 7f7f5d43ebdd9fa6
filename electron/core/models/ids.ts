// Model ids are safe slugs: they name folders under <data>/models/, so anything a user or a hub
// supplies is checked (or slugified) before it gets near a path. Windows' reserved device names are
// refused on every platform so a data dir can move between machines.
import { ModelError } from './errors.js';

export const MAX_ID_LENGTH = 96;
const SLUG = /^[a-z0-9][a-z0-9._-]*$/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// eslint-disable-next-line no-control-regex -- control characters are among what this rejects
const NOT_IN_FILE_NAMES = /[<>:"|?*\x00-\x1f]/;
/** Words the admin API uses after /api/v1/models/. */
const ROUTE_WORDS = new Set(['search', 'import', 'pull', 'pulls']);

/** Why `id` is not a safe model id, or null when it is. */
export function idProblem(id: string): string | null {
  if (id.length === 0) return 'it is empty';
  if (id.includes('\0')) return 'it contains a NUL character';
  if (id.includes('/') || id.includes('\\')) return 'it contains a path separator (/ or \\)';
  if (/^[a-zA-Z]:/.test(id)) return 'it looks like a Windows drive path';
  if (id.split('.').every((p) => p === '')) return "it is '.' or '..'";
  if (id.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  if (WINDOWS_RESERVED.test(id.split('.')[0] ?? '')) return `'${id.split('.')[0]}' is a reserved device name on Windows`;
  if (id.endsWith('.')) return 'it ends with a dot';
  if (ROUTE_WORDS.has(id)) return `'${id}' is a reserved word of the API`;
  if (!SLUG.test(id)) return 'only lowercase letters, digits, dot, dash and underscore are allowed, starting with a letter or digit';
  return null;
}

export function assertSafeId(id: string, param = 'id'): string {
  const problem = idProblem(id);
  if (problem) throw new ModelError('invalid_model_id', `invalid model id '${printable(id)}': ${problem}`, param);
  return id;
}

/** A safe id made from any name (a file name, `owner/repo`): never throws. */
export function slugify(name: string): string {
  let s = name
    .replace(/\.gguf$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, MAX_ID_LENGTH)
    .replace(/[.\-_]+$/, '');
  if (!s) s = 'model';
  if (WINDOWS_RESERVED.test(s.split('.')[0] ?? '') || ROUTE_WORDS.has(s)) s = `${s}-model`;
  return s;
}

/**
 * A file name from outside (a hub repo path's last segment, an import's base name), checked to be a
 * plain name that cannot leave the folder it is joined to.
 */
export function safeFileName(name: string, param = 'file'): string {
  const bad = name.includes('\0')
    ? 'it contains a NUL character'
    : name.includes('/') || name.includes('\\')
      ? 'it contains a path separator'
      : name === '.' || name === '..' || name === ''
        ? "it is empty, '.' or '..'"
        : WINDOWS_RESERVED.test(name.split('.')[0] ?? '')
          ? 'it is a reserved device name on Windows'
          : NOT_IN_FILE_NAMES.test(name)
            ? 'it contains a character not allowed in file names'
            : null;
  if (bad) throw new ModelError('invalid_model_id', `invalid file name '${printable(name)}': ${bad}`, param);
  return name;
}

/** Names are echoed in errors: keep control characters out of terminals and logs. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 200);
}
