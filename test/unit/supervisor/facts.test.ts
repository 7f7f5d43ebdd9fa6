// Facts from llama-server lines, as printed by the real engine (captured at -lv 4) and by older
// builds with GPU devices.
import { describe, expect, it } from 'vitest';
import { applyLogLine, emptyFacts, stripLogPrefix } from '../../../electron/core/supervisor/facts.js';

const MiB = 2 ** 20;
const CAPTURED = `0.00.015.305 I load_tensors: loading model tensors, this can take a while... (load_mode = mmap)
0.00.016.334 I load_tensors:   CPU_Mapped model buffer size =     1.12 MiB
0.00.016.576 I llama_context:        CPU  output buffer size =     0.01 MiB
0.00.016.626 I llama_kv_cache:        CPU KV buffer size =     5.00 MiB
0.00.018.345 I llama_kv_cache: size =    5.00 MiB (  8192 cells,   5 layers,  4/1 seqs), K (f16):    2.50 MiB, V (f16):    2.50 MiB
0.00.024.433 I sched_reserve:        CPU compute buffer size =     9.52 MiB
0.00.028.404 I srv    load_model: initializing, n_slots = 4, n_ctx_slot = 2048, kv_unified = 'true'
0.00.033.144 I srv  llama_server: model loaded
0.00.169.137 I slot print_timing: id  3 | task 0 | prompt eval time =       3.23 ms /    14 tokens (    0.23 ms per token,  4339.74 tokens per second)
0.00.169.156 I slot print_timing: id  3 | task 0 |        eval time =       4.53 ms /    20 tokens (    0.24 ms per token,  4191.48 tokens per second)
0.00.169.156 I slot print_timing: id  3 | task 0 |       total time =       7.76 ms /    34 tokens`;

describe('engine facts', () => {
  it('reads buffers per device and kind, slots, model loaded and the last token rates', () => {
    const f = emptyFacts();
    for (const line of CAPTURED.split('\n')) applyLogLine(f, line, '2026-01-01T00:00:00.000Z');
    expect(f.buffers).toEqual([
      { device: 'CPU_Mapped', kind: 'model', bytes: Math.round(1.12 * MiB) },
      { device: 'CPU', kind: 'output', bytes: Math.round(0.01 * MiB) },
      { device: 'CPU', kind: 'kv', bytes: 5 * MiB },
      { device: 'CPU', kind: 'compute', bytes: Math.round(9.52 * MiB) },
    ]);
    expect(f).toMatchObject({ modelLoaded: true, modelLoadedAt: '2026-01-01T00:00:00.000Z', slots: 4, contextPerSlot: 2048, requestsTimed: 1 });
    expect(f.lastPromptEval).toEqual({ ms: 3.23, tokens: 14, tokensPerSecond: 4339.74 });
    expect(f.lastEval).toEqual({ ms: 4.53, tokens: 20, tokensPerSecond: 4191.48 });
  });

  it('sums several GPUs and replaces a buffer that is reported again', () => {
    const f = emptyFacts();
    for (const line of [
      'llm_load_tensors:      CUDA0 model buffer size =  3745.12 MiB',
      'llm_load_tensors:      CUDA1 model buffer size =  3520.50 MiB',
      'llama_kv_cache_init:      CUDA0 KV buffer size =   256.00 MiB',
      'llama_kv_cache_init:      CUDA1 KV buffer size =   256.00 MiB',
      'llama_new_context_with_model:      CUDA0 compute buffer size =   400.00 MiB',
      'llama_new_context_with_model:      CUDA0 compute buffer size =   300.00 MiB',
    ]) {
      expect(applyLogLine(f, line, 't')).toBe(true);
    }
    expect(f.totals).toEqual({ modelBytes: Math.round(3745.12 * MiB) + Math.round(3520.5 * MiB), kvBytes: 512 * MiB, computeBytes: 300 * MiB });
    expect(f.buffers.filter((b) => b.kind === 'compute')).toHaveLength(1);
  });

  it('ignores unrelated lines and strips the time/level prefix for reasons', () => {
    const f = emptyFacts();
    expect(applyLogLine(f, '0.00.002.276 W srv  llama_server: security: no API key is set', 't')).toBe(false);
    expect(f).toEqual(emptyFacts());
    expect(stripLogPrefix('0.00.004.487 E llama_model_load: error loading model: x')).toBe('llama_model_load: error loading model: x');
    expect(stripLogPrefix('error while loading shared libraries: libcuda.so.1')).toBe('error while loading shared libraries: libcuda.so.1');
  });
});
