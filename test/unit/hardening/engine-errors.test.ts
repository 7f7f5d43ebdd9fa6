// Engine refusals: content errors the engine answers with 500 become 400 with its reason; our own
// failures stay 5xx; the message is bounded.
import { describe, expect, it } from 'vitest';
import { ENGINE_ERROR_BODY_CAP, engineErrorToHttp } from '../../../electron/core/api/engine-errors.js';

const envelope = (message: string) => Buffer.from(JSON.stringify({ error: { code: 500, message, type: 'server_error' } }));

describe('engineErrorToHttp', () => {
  it.each([
    '[json.exception.type_error.302] type must be array, but is boolean',
    'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj',
    'Failed to parse grammar',
    '[json.exception.parse_error.101] parse error at line 1: invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF',
  ])('maps an engine 500 about the request to 400: %s', (message) => {
    const e = engineErrorToHttp(500, envelope(message), false);
    expect(e.status).toBe(400);
    expect(e.message).toContain(message);
    expect(e.toEnvelope().error).toMatchObject({ type: 'invalid_request_error', code: 'engine_rejected' });
  });

  it('keeps an engine failure that is not about the request a 5xx', () => {
    expect(engineErrorToHttp(500, envelope('CUDA error: out of memory on device 0'), false).status).toBe(500);
    expect(engineErrorToHttp(503, envelope('Loading model'), false).status).toBe(503);
    expect(engineErrorToHttp(401, envelope('Invalid API Key'), false).status).toBe(502);
  });

  it('passes engine 4xx through and bounds the reason, saying it was cut', () => {
    const e = engineErrorToHttp(400, Buffer.from('x'.repeat(ENGINE_ERROR_BODY_CAP)), true);
    expect(e.status).toBe(400);
    expect(e.message.length).toBeLessThan(1300);
    expect(e.message).toContain('was cut');
  });
});
