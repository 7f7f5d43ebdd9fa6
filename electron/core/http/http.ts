// HTTP plumbing shared by every route: JSON replies, the one error envelope, bounded body reading.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../util/errors.js';
import { assertJsonDepth, assertJsonValues } from './json-limits.js';

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const httpErr = err instanceof HttpError ? err : new HttpError(500, `internal error: ${err instanceof Error ? err.message : String(err)}`, 'server_error', 'internal_error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, httpErr.status, httpErr.toEnvelope(), httpErr.headers);
}

/** Read the whole body, refusing more than `limit` bytes with 413 (without buffering the excess). */
export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than the limit of ${limit} bytes`, 'invalid_request_error', 'body_too_large');
}

/** Parse a JSON object body; a body that is not valid UTF-8 JSON or not an object → 400. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8', 'invalid_request_error', 'invalid_encoding');
  }
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; expected a JSON object', 'invalid_request_error', 'invalid_json');
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`, 'invalid_request_error', 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'request body must be a JSON object', 'invalid_request_error', 'invalid_json');
  }
  assertJsonValues(value);
  return value as Record<string, unknown>;
}
