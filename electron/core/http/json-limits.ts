// Limits on the shape of request JSON that no schema expresses: nesting depth (checked on the text,
// before parsing, so a 20 KB body of 10,000 nested arrays never becomes a 10,000-deep object nor
// reaches the engine, which would print it back in a 200 MB error), strings that are not valid
// Unicode (a lone surrogate `\ud800` crashes the engine's JSON reader), and numbers beyond a double
// (a 400-digit integer). Each failure is the client's: 400 naming the field.
import { HttpError } from '../util/errors.js';

/** Deeper than any real request (OpenAI allows 5 levels of nesting in a tool's JSON schema). */
export const MAX_JSON_DEPTH = 64;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Throws 400 when the JSON text nests objects/arrays deeper than `max` (strings are skipped). */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) throw new HttpError(400, `request JSON is nested more than ${max} levels deep (the limit); flatten the request`, 'invalid_request_error', 'json_too_deep');
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
}

/** Throws 400 naming the first string (key or value) that is not well-formed Unicode, or number that is not finite. */
export function assertJsonValues(value: unknown, path: string[] = []): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw invalid(path, 'contains a lone UTF-16 surrogate (not valid Unicode text)', 'invalid_unicode');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(path, 'is a number too large to represent', 'number_out_of_range');
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertJsonValues(value[i], [...path, String(i)]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) throw invalid(path, 'has a key with a lone UTF-16 surrogate (not valid Unicode text)', 'invalid_unicode');
      assertJsonValues(v, [...path, k]);
    }
  }
}

function invalid(path: string[], what: string, code: string): HttpError {
  const field = path.join('.');
  return new HttpError(400, `invalid request field \`${field || '(body)'}\`: ${what}`, 'invalid_request_error', code, field || null);
}
