// The contract check the integration suite runs on every response of our API: it must pass what the
// document says and fail what it does not (or it would check nothing).
import { describe, expect, it } from 'vitest';
import { contractProblems } from '../../helpers/contract.js';

const at = (path: string) => `http://127.0.0.1:8585${path}`;
const json = (method: string, path: string, status: number, body: unknown) =>
  contractProblems({ method, url: at(path), status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const envelope = { error: { message: 'x', type: 'not_found_error', code: 'deployment_not_found', param: 'name' } };

describe('contractProblems', () => {
  it('passes responses that match the document', () => {
    expect(json('GET', '/healthz', 200, { status: 'ok', version: '1', uptimeSeconds: 3 })).toEqual([]);
    expect(json('GET', '/api/v1/deployments/a%20b', 404, envelope)).toEqual([]);
    expect(json('POST', '/api/v1/requests/r1/cancel', 200, { id: 'r1', state: 'cancelling' })).toEqual([]);
    expect(contractProblems({ method: 'DELETE', url: at('/api/v1/deployments/x'), status: 204, contentType: null, body: '' })).toEqual([]);
    expect(contractProblems({ method: 'GET', url: at('/api/v1/events'), status: 200, contentType: 'text/event-stream', body: null })).toEqual([]);
  });

  it('fails a wrong field, a bare-string error, an undocumented status and an undocumented route', () => {
    expect(json('GET', '/healthz', 200, { status: 'fine', version: '1', uptimeSeconds: 3 })[0]).toMatch(/\/status/);
    expect(json('GET', '/healthz', 200, { status: 'ok', version: '1', uptimeSeconds: 3, extra: 1 })[0]).toMatch(/additional/);
    expect(json('GET', '/api/v1/keys', 401, { error: 'nope' })).not.toEqual([]);
    expect(json('GET', '/api/v1/deployments/x', 201, {})[0]).toMatch(/not documented/);
    expect(json('GET', '/api/v1/not-a-route', 200, {})[0]).toMatch(/not in docs/);
    expect(contractProblems({ method: 'GET', url: at('/api/v1/status'), status: 200, contentType: 'text/html', body: '<p>' })[0]).toMatch(/content type/);
  });

  it('checks the /v1 answers we promise while letting the engine add fields', () => {
    const chat = {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hi', reasoning_content: null } }],
      timings: {},
    };
    expect(json('POST', '/v1/chat/completions', 200, chat)).toEqual([]);
    expect(json('POST', '/v1/chat/completions', 200, { ...chat, choices: undefined })).not.toEqual([]);
  });
});
