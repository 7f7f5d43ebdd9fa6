// Which files `owner/repo[:selector]` names in a repo listing: quant tags, file names, split shards,
// mmproj files, and the errors that list what is there.
import type { ListFileEntry } from '@huggingface/hub';
import { describe, expect, it } from 'vitest';
import { chooseFiles, hubConfig, parsePullSpec } from '../../../electron/core/models/hub.js';

const f = (path: string): ListFileEntry => ({ type: 'file', path, size: 1, lfs: { oid: 'x', size: 1, pointerSize: 1 } });
const REPO = [
  f('Llama-3.2-1B-Instruct-Q4_K_M.gguf'),
  f('Llama-3.2-1B-Instruct-Q8_0.gguf'),
  f('Llama-3.2-1B-Instruct-f16.gguf'),
  f('mmproj-model-f16.gguf'),
  f('big/Llama-Q6_K-00002-of-00002.gguf'),
  f('big/Llama-Q6_K-00001-of-00002.gguf'),
  f('broken/Llama-Q5_K_M-00001-of-00003.gguf'),
];
const pick = (selector: string | null, files = REPO) => chooseFiles({ repo: 'o/r', selector }, files).map((e) => e.path);

describe('choosing files to pull', () => {
  it('parses owner/repo[:selector]', () => {
    expect(parsePullSpec('o/r')).toEqual({ repo: 'o/r', selector: null });
    expect(parsePullSpec('o/r:Q4_K_M')).toEqual({ repo: 'o/r', selector: 'Q4_K_M' });
    expect(parsePullSpec('o/r:sub/x.gguf')).toEqual({ repo: 'o/r', selector: 'sub/x.gguf' });
    expect(() => parsePullSpec('o/../r')).toThrow(/not a Hugging Face repo name/);
    expect(() => parsePullSpec('just-a-name')).toThrow(/expected owner\/name/);
  });

  it('picks by quant tag, case-insensitively', () => {
    expect(pick('q8_0')).toEqual(['Llama-3.2-1B-Instruct-Q8_0.gguf']);
    expect(pick('F16')).toEqual(['Llama-3.2-1B-Instruct-f16.gguf']);
  });

  it('picks every shard of a split model, in order', () => {
    expect(pick('Q6_K')).toEqual(['big/Llama-Q6_K-00001-of-00002.gguf', 'big/Llama-Q6_K-00002-of-00002.gguf']);
    expect(pick('Llama-Q6_K-00002-of-00002.gguf')).toHaveLength(2);
  });

  it('ignores a split model with missing shards', () => {
    expect(() => pick('Q5_K_M')).toThrow(/has no Q5_K_M file/);
  });

  it('picks by file name or repo path', () => {
    expect(pick('llama-3.2-1b-instruct-q8_0.gguf')).toEqual(['Llama-3.2-1B-Instruct-Q8_0.gguf']);
    expect(pick('mmproj-model-f16.gguf')).toEqual(['mmproj-model-f16.gguf']);
  });

  it('without a selector takes the only model, else Q4_K_M, else explains', () => {
    expect(pick(null)).toEqual(['Llama-3.2-1B-Instruct-Q4_K_M.gguf']);
    expect(pick(null, [f('only-Q8_0.gguf'), f('mmproj-f16.gguf')])).toEqual(['only-Q8_0.gguf']);
    expect(() => pick(null, [f('a-Q8_0.gguf'), f('a-Q6_K.gguf')])).toThrow(/several GGUF models; name one with o\/r:<quant or file>: a-Q8_0.gguf, a-Q6_K.gguf/);
    expect(() =>
      pick(
        null,
        [f('README.md')].filter((e) => e.path.endsWith('.gguf')),
      ),
    ).toThrow(/has no GGUF model files/);
  });

  it('says which quants exist when the asked one does not', () => {
    expect(() => pick('IQ2_XS')).toThrow(/quants there: Q4_K_M, Q8_0, F16, Q6_K/);
  });

  it('takes the hub from a changed setting, then HF_ENDPOINT, then huggingface.co', () => {
    expect(hubConfig(null, {})).toEqual({ endpoint: 'https://huggingface.co', token: null });
    expect(hubConfig({ endpoint: 'https://huggingface.co', token: null }, { HF_ENDPOINT: 'http://mirror.local/', HF_TOKEN: 'hf_env' })).toEqual({ endpoint: 'http://mirror.local', token: 'hf_env' });
    expect(hubConfig({ endpoint: 'https://hub.corp/', token: 'hf_set' }, { HF_ENDPOINT: 'http://mirror.local' })).toEqual({ endpoint: 'https://hub.corp', token: 'hf_set' });
  });
});
