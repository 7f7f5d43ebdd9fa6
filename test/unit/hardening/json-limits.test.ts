// Request JSON limits no schema expresses: depth (checked on the text), lone surrogates and numbers
// beyond a double — each a 400 naming the limit or the field.
import { describe, expect, it } from 'vitest';
import { parseJsonObject } from '../../../electron/core/http/http.js';
import { MAX_JSON_DEPTH } from '../../../electron/core/http/json-limits.js';
import { HttpError } from '../../../electron/core/util/errors.js';

function rejects(body: string): HttpError {
  try {
    parseJsonObject(Buffer.from(body));
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('request JSON limits', () => {
  it('refuses 10,000 nested arrays in `tools` with 400 naming the limit, in linear time', () => {
    const body = `{"model":"m","messages":[],"tools":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const err = rejects(body);
    expect(err.status).toBe(400);
    expect(err.code).toBe('json_too_deep');
    expect(err.message).toContain(String(MAX_JSON_DEPTH));
  });

  it('accepts nesting up to the limit, and brackets inside strings do not count', () => {
    const inner = `${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(parseJsonObject(Buffer.from(`{"a":${inner},"s":"${'['.repeat(500)}\\"["}`))).toHaveProperty('a');
  });

  it('refuses a lone surrogate with the field named', () => {
    const err = rejects('{"model":"m","messages":[{"role":"user","content":"a\\ud800b"}]}');
    expect([err.status, err.code, err.param]).toEqual([400, 'invalid_unicode', 'messages.0.content']);
  });

  it('keeps a proper surrogate pair', () => {
    expect(parseJsonObject(Buffer.from('{"s":"\\ud83d\\ude00"}')).s).toBe('😀');
  });

  it('refuses a 400-digit integer in an unknown field', () => {
    const err = rejects(`{"model":"m","whatever":${'9'.repeat(400)}}`);
    expect([err.status, err.code, err.param]).toEqual([400, 'number_out_of_range', 'whatever']);
  });
});
