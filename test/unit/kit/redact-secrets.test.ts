import { describe, expect, it } from 'vitest';
import { SECRET_REMOVED, withoutSecrets } from '../../../electron/core/util/redact-secrets.js';

describe('withoutSecrets', () => {
  it('replaces every credential-named field at any depth and keeps the rest', () => {
    const input = { hub: { endpoint: 'https://huggingface.co', token: 'hf_abc' }, keys: [{ name: 'ci', apiKey: 'sk-1', secret: 'x' }], api: { port: 8585, authorization: 'Bearer t' } };
    expect(withoutSecrets(input)).toEqual({
      hub: { endpoint: 'https://huggingface.co', token: SECRET_REMOVED },
      keys: [{ name: 'ci', apiKey: SECRET_REMOVED, secret: SECRET_REMOVED }],
      api: { port: 8585, authorization: SECRET_REMOVED },
    });
    expect(input.hub.token).toBe('hf_abc'); // a copy: the caller's object is untouched
  });

  it('leaves unset secrets unset, so a reader can tell "none" from "removed"', () => {
    expect(withoutSecrets({ hub: { token: null } })).toEqual({ hub: { token: null } });
  });
});
