// A model's licence for the library: the GGUF's own general.license first, else the Hub card's
// `license` (with `license_name` for "other"); nothing invented when neither states one.
import { describe, expect, it } from 'vitest';
import type { ModelFacts, ModelManifest } from '../../../electron/contract/index.js';
import { cardLicenseOf } from '../../../electron/core/models/hub.js';
import { modelLicense } from '../../../electron/core/models/library.js';

const manifest = (facts: Partial<ModelFacts>, cardLicense?: string | null): ModelManifest => ({
  schemaVersion: 1,
  id: 'm',
  displayName: 'm',
  aliases: [],
  files: [],
  source:
    cardLicense === undefined
      ? { kind: 'import', path: '/m.gguf', linked: false }
      : { kind: 'hub', repo: 'o/m', revision: 'a'.repeat(40), file: 'm.gguf', endpoint: 'https://huggingface.co', cardLicense },
  addedAt: '2026-12-04T00:00:00Z',
  facts: { architecture: 'llama', ...facts } as ModelFacts,
});

describe('model licence', () => {
  it('prefers the GGUF metadata over the model card', () => {
    expect(modelLicense(manifest({ license: 'llama3.1', licenseLink: 'https://llama.com/llama3_1/license' }, 'other'))).toEqual({
      id: 'llama3.1',
      link: 'https://llama.com/llama3_1/license',
      from: 'gguf',
    });
  });

  it('falls back to the card, and is null for an import without licence metadata or an older manifest', () => {
    expect(modelLicense(manifest({ license: null }, 'apache-2.0'))).toEqual({ id: 'apache-2.0', link: null, from: 'hub-card' });
    expect(modelLicense(manifest({ license: null }))).toBeNull();
    expect(modelLicense(manifest({}, null))).toBeNull();
  });

  it('reads the card licence as a string, a list, or "other" with its name', () => {
    expect(cardLicenseOf({ license: 'mit' })).toBe('mit');
    expect(cardLicenseOf({ license: ['apache-2.0', 'mit'] })).toBe('apache-2.0, mit');
    expect(cardLicenseOf({ license: 'other', license_name: 'gemma' })).toBe('gemma');
    expect(cardLicenseOf({ license: '' })).toBeNull();
    expect(cardLicenseOf(undefined)).toBeNull();
    expect(cardLicenseOf({ license: 42 })).toBeNull();
  });
});
