// The fixture writer's output parsed back by @huggingface/gguf (an independent reader): every value
// type, alignment, tensor offsets, and a sparse file that costs little disk.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gguf, GGUFValueType } from '@huggingface/gguf';
import { afterAll, describe, expect, it } from 'vitest';
import { GGML, LLAMA_3_1_8B_Q4_K_M, llamaModel, tensorBytes, writeGguf, type GgufKv } from '../../helpers/gguf-writer.js';
import { tempDir } from '../../helpers/tmp.js';

describe('gguf-writer', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('writes metadata of every GGUF value type that @huggingface/gguf reads back unchanged', async () => {
    const kv: GgufKv = {
      'general.architecture': { type: 'string', value: 'llama' },
      'general.alignment': { type: 'uint32', value: 64 },
      'x.u8': { type: 'uint8', value: 200 },
      'x.i8': { type: 'int8', value: -5 },
      'x.u16': { type: 'uint16', value: 60000 },
      'x.i16': { type: 'int16', value: -30000 },
      'x.i32': { type: 'int32', value: -7 },
      'x.f32': { type: 'float32', value: 0.5 },
      'x.f64': { type: 'float64', value: 1e-300 },
      'x.u64': { type: 'uint64', value: 2n ** 40n },
      'x.i64': { type: 'int64', value: -(2n ** 40n) },
      'x.bool': { type: 'bool', value: true },
      'x.str': { type: 'string', value: 'héllo' },
      'x.strs': { type: 'array', itemType: 'string', value: ['a', 'bc', ''] },
      'x.f32s': { type: 'array', itemType: 'float32', value: [1, -2.5] },
      'x.nested': {
        type: 'array',
        itemType: 'array',
        value: [
          { type: 'array', itemType: 'int32', value: [1, 2] },
          { type: 'array', itemType: 'int32', value: [3] },
        ],
      },
    };
    const tensors = [
      { name: 'a', shape: [256, 3], type: GGML.Q4_K },
      { name: 'b', shape: [7], type: GGML.F32 },
      { name: 'c', shape: [64, 2], type: GGML.Q8_0 },
    ];
    const path = join(tmp.path, 'types.gguf');
    const layout = writeGguf(path, kv, tensors);
    const r = await gguf(path, { allowLocalFile: true, typedMetadata: true });
    const m = r.metadata as unknown as Record<string, unknown>;
    expect(m.version).toBe(3);
    expect(m['x.u8']).toBe(200);
    expect(m['x.i8']).toBe(-5);
    expect(m['x.u16']).toBe(60000);
    expect(m['x.i16']).toBe(-30000);
    expect(m['x.i32']).toBe(-7);
    expect(m['x.f32']).toBe(0.5);
    expect(m['x.f64']).toBe(1e-300);
    expect(m['x.u64']).toBe(2n ** 40n);
    expect(m['x.i64']).toBe(-(2n ** 40n));
    expect(m['x.bool']).toBe(true);
    expect(m['x.str']).toBe('héllo');
    expect(m['x.strs']).toEqual(['a', 'bc', '']);
    expect(m['x.f32s']).toEqual([1, -2.5]);
    expect(m['x.nested']).toEqual([[1, 2], [3]]);
    expect(r.typedMetadata['x.u16']!.type).toBe(GGUFValueType.UINT16);
    expect(r.typedMetadata['x.strs']!.subType).toBe(GGUFValueType.STRING);
    // Alignment 64: the data section and every tensor offset are multiples of 64.
    expect(Number(r.tensorDataOffset) % 64).toBe(0);
    expect(Number(r.tensorDataOffset)).toBe(layout.dataOffset);
    expect(r.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)])).toEqual([
      ['a', [256, 3], GGML.Q4_K, 0],
      ['b', [7], GGML.F32, 448],
      ['c', [64, 2], GGML.Q8_0, 512],
    ]);
    expect(layout.tensorBytes).toEqual([3 * 144, 28, 4 * 34]);
    expect(statSync(path).size).toBe(layout.size);
    expect(layout.size).toBe(layout.dataOffset + 512 + 4 * 34 + (64 - ((4 * 34) % 64)));
  });

  it('writes a Llama-3.1-8B Q4_K_M-shaped file of real size as a sparse file', async () => {
    const path = join(tmp.path, 'llama-8b.gguf');
    const { kv, tensors } = llamaModel(LLAMA_3_1_8B_Q4_K_M);
    const layout = writeGguf(path, kv, tensors);
    // The real file is 4,920,734,176 bytes; same shapes and types give within 1 % of that.
    expect(Math.abs(layout.size - 4_920_734_176) / 4_920_734_176).toBeLessThan(0.01);
    const st = statSync(path);
    expect(st.size).toBe(layout.size);
    expect(st.blocks * 512).toBeLessThan(16 * 1024 * 1024);
    const r = await gguf(path, { allowLocalFile: true, computeParametersCount: true });
    expect(r.parameterCount).toBeGreaterThan(8.0e9);
    expect(r.parameterCount).toBeLessThan(8.1e9);
    expect(r.tensorInfos).toHaveLength(tensors.length);
    const m = r.metadata as unknown as Record<string, unknown>;
    expect(m['llama.block_count']).toBe(32);
    expect(m['llama.attention.head_count_kv']).toBe(8);
    expect((m['tokenizer.ggml.tokens'] as string[]).length).toBe(128256);
  });

  it('refuses a row that is not a multiple of the quant block', () => {
    expect(() => tensorBytes({ name: 'bad', shape: [100, 2], type: GGML.Q4_K })).toThrow(/block size 256/);
  });
});
