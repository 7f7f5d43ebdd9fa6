// What the client hears when the engine refuses a request. llama-server answers some bad requests
// with 500 (its JSON reader throws on `"tools": true`, a lone surrogate, a content part of the wrong
// type, an image for a model without a projector), and SDKs retry 5xx: the same bad request would be
// sent again and again. A refusal that is about the request's content becomes a 400 with the
// engine's reason; anything else stays the engine's failure. The engine's error body is read only up
// to a small cap (a rejected `tools` can make it print a 200 MB echo of the request).
import { boundedMessage } from '../util/redact.js';
import { HttpError } from '../util/errors.js';

/** At most this much of an engine's error body is held in memory; the rest is dropped unread. */
export const ENGINE_ERROR_BODY_CAP = 16 * 1024;
/** How much of the engine's reason the client is shown. */
const REASON_CHARS = 1000;

/** Words llama.cpp uses when the request itself is at fault (its JSON reader, templates, parsers). */
const CLIENT_FAULT =
  /json\.exception|type must be|must be (a|an) |invalid|unsupported|not supported|failed to parse|parse error|error parsing|expected|mmproj|multimodal|image input|audio input|grammar|schema|tool|utf-?8|surrogate|out of range|overflow|cannot be|unknown (field|type|role)|missing/i;

export function engineErrorToHttp(engineStatus: number, body: Buffer, truncated: boolean): HttpError {
  const reason = reasonOf(body);
  const shown = `${boundedMessage(reason, REASON_CHARS)}${truncated ? ` (the engine's error was longer than ${ENGINE_ERROR_BODY_CAP} bytes and was cut)` : ''}`;
  if (engineStatus === 401 || engineStatus === 403) {
    // Our own key to the engine was refused: our failure, not the client's.
    return new HttpError(502, `the engine refused the gateway's credentials (${engineStatus})`, 'engine_error', 'engine_auth_failed');
  }
  if (engineStatus >= 400 && engineStatus < 500)
    return new HttpError(engineStatus, `the engine rejected the request: ${shown}`, engineStatus === 404 ? 'not_found_error' : 'invalid_request_error', 'engine_rejected');
  if (engineStatus === 500 && CLIENT_FAULT.test(reason)) return new HttpError(400, `the engine rejected the request: ${shown}`, 'invalid_request_error', 'engine_rejected');
  return new HttpError(engineStatus >= 500 ? engineStatus : 502, `the engine failed: ${shown}`, 'engine_error', 'engine_error');
}

/** The engine's `error.message` when its body is the usual envelope, else the body's text. */
function reasonOf(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof m === 'string' && m) return m;
  } catch {
    // cut or not JSON: the raw text is the reason
  }
  return text.trim() || '(no reason given)';
}
