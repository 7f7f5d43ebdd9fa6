// ModelFacts from parsed GGUF headers (pure): per-layer grouping, per-layer arrays, MoE and attention
// extras, quant labels, and unknown facts left null.
import { describe, expect, it } from 'vitest';
import { factsFromGguf, type ParsedGguf } from '../../../electron/core/models/gguf-facts.js';
import { ggmlTensorBytes } from '../../../electron/core/models/ggml-types.js';

const part = (metadata: Record<string, unknown>, tensors: [string, number[], number][], sizeBytes = 1_000_000): ParsedGguf => ({
  path: '/x.gguf',
  sizeBytes,
  version: 3,
  metadata,
  dataOffset: 4096,
  tensors: tensors.map(([name, shape, type]) => ({ name, shape, type, offset: 0, bytes: ggmlTensorBytes(type, shape)! })),
});

describe('factsFromGguf', () => {
  it('groups tensor bytes by block and keeps the rest by name', () => {
    const facts = factsFromGguf(
      [
        part({ 'general.architecture': 'qwen2', 'general.file_type': 15, 'qwen2.block_count': 2 }, [
          ['token_embd.weight', [256, 10], 12],
          ['blk.0.attn_q.weight', [256, 256], 12],
          ['blk.0.ffn_down.weight', [256, 256], 14],
          ['blk.1.attn_q.weight', [256, 256], 12],
          ['output_norm.weight', [256], 0],
        ]),
      ],
      'x-Q4_K_M.gguf',
    );
    expect(facts.quant).toBe('Q4_K_M');
    expect(facts.fileType).toBe(15);
    expect(facts.layers).toEqual([
      { index: 0, bytes: 256 * 144 + 256 * 210 },
      { index: 1, bytes: 256 * 144 },
    ]);
    expect(facts.otherTensors).toEqual([
      { name: 'token_embd.weight', bytes: 10 * 144 },
      { name: 'output_norm.weight', bytes: 1024 },
    ]);
    expect(facts.parameterCount).toBe(2560 + 3 * 65536 + 256);
    expect(facts.tensorBytes).toBe(10 * 144 + 256 * 144 * 2 + 256 * 210 + 1024);
    expect(facts.contextLength).toBeNull();
    expect(facts.hasChatTemplate).toBe(false);
  });

  it('reads MoE, sliding window, key/value lengths and reduces per-layer arrays to their maximum', () => {
    const facts = factsFromGguf(
      [
        part(
          {
            'general.architecture': 'gemma3',
            'general.name': 'Gemma',
            'gemma3.context_length': 131072,
            'gemma3.attention.head_count': [8, 8, 16],
            'gemma3.attention.head_count_kv': 4n,
            'gemma3.attention.key_length': 256,
            'gemma3.attention.value_length': 256,
            'gemma3.attention.sliding_window': 1024,
            'gemma3.expert_count': 8,
            'gemma3.expert_used_count': 2,
            'tokenizer.chat_template': '{{ messages }}',
          },
          [],
        ),
      ],
      'gemma.gguf',
    );
    expect(facts).toMatchObject({
      architecture: 'gemma3',
      name: 'Gemma',
      contextLength: 131072,
      headCount: 16,
      headCountKv: 4,
      keyLength: 256,
      valueLength: 256,
      slidingWindow: 1024,
      expertCount: 8,
      expertUsedCount: 2,
      hasChatTemplate: true,
    });
  });

  it('reads the licence and its link from general.license, and leaves it null when absent', () => {
    const licensed = factsFromGguf(
      [part({ 'general.architecture': 'llama', 'general.license': ' apache-2.0 ', 'general.license.link': 'https://huggingface.co/x/y/blob/main/LICENSE' }, [])],
      'x.gguf',
    );
    expect(licensed).toMatchObject({ license: 'apache-2.0', licenseLink: 'https://huggingface.co/x/y/blob/main/LICENSE' });
    expect(factsFromGguf([part({ 'general.architecture': 'llama', 'general.license': '' }, [])], 'x.gguf')).toMatchObject({ license: null, licenseLink: null });
  });

  it('labels the quant from the file name, else from the dominant tensor type', () => {
    expect(factsFromGguf([part({ 'general.architecture': 'llama' }, [])], 'model-IQ4_XS.gguf').quant).toBe('IQ4_XS');
    expect(
      factsFromGguf(
        [
          part({ 'general.architecture': 'llama' }, [
            ['a', [32, 64], 8],
            ['b', [4], 0],
          ]),
        ],
        'model.gguf',
      ).quant,
    ).toBe('Q8_0');
  });

  it('sums sizes and tensors over every shard, metadata from shard 1', () => {
    const a = part({ 'general.architecture': 'llama', 'llama.block_count': 2 }, [['blk.0.w', [32], 0]], 100);
    const b = part(
      { 'split.no': 1 },
      [
        ['blk.1.w', [32], 0],
        ['output.weight', [32], 0],
      ],
      50,
    );
    const facts = factsFromGguf([a, b], 'm-00001-of-00002.gguf');
    expect(facts.sizeBytes).toBe(150);
    expect(facts.layers).toEqual([
      { index: 0, bytes: 128 },
      { index: 1, bytes: 128 },
    ]);
    expect(facts.blockCount).toBe(2);
  });

  it('refuses a file without an architecture', () => {
    expect(() => factsFromGguf([part({}, [])], 'odd.gguf')).toThrow(/odd.gguf has no general.architecture/);
  });
});
