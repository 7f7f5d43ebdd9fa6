// The estimator's reading of GGUF facts and of the engine's log, on cases the real fixtures lack.
import { describe, expect, it } from 'vitest';
import { engineTotals, parseEngineBuffers } from '../../../electron/core/placement/engine-log.js';
import { assignLayers, estimate } from '../../../electron/core/placement/estimator.js';
import { estimatorInputFromGguf } from '../../../electron/core/placement/gguf-facts.js';
import { SHAPES, shapeMetadata, shapeTensors } from '../../helpers/model-shapes.js';

const base = SHAPES[0]!;
function facts(extraMeta: Record<string, unknown>, dropOutput = false) {
  const metadata = { ...Object.fromEntries(Object.entries(shapeMetadata(base)).map(([k, v]) => [k, v.value])), ...extraMeta };
  const tensors = shapeTensors(base).filter((t) => !(dropOutput && t.name === 'output.weight'));
  return estimatorInputFromGguf({ metadata, tensorInfos: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.type })) }, 0);
}
const opts = { contextSize: 8192, parallel: 1, cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'on' } as const;

describe('estimator', () => {
  it('copies tied token embeddings to the GPU holding the output layer, not on the CPU', () => {
    const tied = facts({}, true);
    expect(tied.outputTied).toBe(true);
    const gpu = estimate(tied, { ...opts, layerDevice: () => 'CUDA0', outputDevice: 'CUDA0' });
    const cpu = estimate(tied, opts);
    expect(gpu.total.weightsBytes - cpu.total.weightsBytes).toBe(tied.tokenEmbeddingBytes);
  });

  it('keeps a sliding-window layer cache at window + ubatch (gemma2 pattern: every other layer)', () => {
    const swa = facts({
      'general.architecture': 'gemma2',
      ...Object.fromEntries(
        Object.entries(shapeMetadata(base))
          .filter(([k]) => k.startsWith('llama.'))
          .map(([k, v]) => [k.replace('llama.', 'gemma2.'), v.value]),
      ),
      'gemma2.attention.sliding_window': 4096,
    });
    expect(swa.layers.filter((l) => l.slidingWindow)).toHaveLength(16);
    const full = facts({});
    const ratio = estimate(swa, { ...opts, contextSize: 32768 }).total.kvBytes / estimate(full, { ...opts, contextSize: 32768 }).total.kvBytes;
    // 16 layers at 32768 cells + 16 at pad256(4096 + 512) = 4608 cells.
    expect(ratio).toBeCloseTo((32768 + 4608) / (2 * 32768), 6);
  });

  it('flags what it only approximates: unknown sliding windows, experts', () => {
    expect(facts({ 'llama.attention.sliding_window': 4096 }).caveats.join(' ')).toMatch(/not modelled for llama; .* over-estimate/);
    expect(facts({ 'llama.expert_count': 8, 'llama.expert_used_count': 2 }).caveats.join(' ')).toMatch(/mixture of experts \(2 of 8/);
  });

  it('assigns layers like llama.cpp: the last ngl layers, the output first, split at cumulative shares', () => {
    expect(assignLayers(4, 2, [1])).toEqual({ layers: [-1, -1, -1, 0], output: 0 });
    expect(assignLayers(4, 5, [1, 1])).toEqual({ layers: [0, 0, 0, 1], output: 1 });
    expect(assignLayers(4, 0, [1])).toEqual({ layers: [-1, -1, -1, -1], output: -1 });
  });
});

describe('engine log', () => {
  it('reads model, KV, compute and output buffers per buffer type', () => {
    const log = [
      '0.00.006.405 I load_tensors:   CPU_Mapped model buffer size =  4685.30 MiB',
      '0.00.006.405 I load_tensors:        CUDA0 model buffer size =  1024.00 MiB',
      '0.00.006.552 I llama_context:        CPU  output buffer size =     0.49 MiB',
      '0.00.006.566 I llama_kv_cache:        CPU KV buffer size =   512.00 MiB',
      '0.00.007.415 I sched_reserve:        CPU compute buffer size =   120.01 MiB',
      '0.00.009.415 I sched_reserve:        CPU compute buffer size =   121.01 MiB',
    ].join('\n');
    expect(parseEngineBuffers(log).map((b) => `${b.kind}:${b.buffer}`)).toEqual(['model:CPU_Mapped', 'model:CUDA0', 'output:CPU', 'kv:CPU', 'compute:CPU', 'compute:CPU']);
    const t = engineTotals(log);
    expect(t.model).toBe(Math.round(5709.3 * 1048576));
    expect(t.compute).toBe(Math.round(121.01 * 1048576));
  });
});
