// Overrides are honoured, or refused with the numbers unless forced; every plan becomes explicit argv.
import { describe, expect, it } from 'vitest';
import { GATEWAY_SPARE_CONNECTIONS, placementArgs, planToArgs } from '../../../electron/core/engines/args.js';
import { plan, type PlanInput } from '../../../electron/core/placement/planner.js';
import { computeThreads } from '../../../electron/core/placement/plan-text.js';
import { machine, type MachineName } from '../../helpers/machines.js';
import { LLAMA_8B_Q8_0, SHAPES } from '../../helpers/model-shapes.js';
import { shapeInput } from '../../helpers/placement-models.js';

const LLAMA_8B = shapeInput(SHAPES[0]!);
const LLAMA_8B_Q8 = shapeInput(LLAMA_8B_Q8_0);
const STORIES_LIKE = { ...LLAMA_8B, headDimK: 8, headDimV: 8 };

function run(name: MachineName, overrides: PlanInput['overrides'], model = LLAMA_8B) {
  return plan({ hardware: machine(name), model, modelPath: '/m/model.gguf', overrides });
}

const arg = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('overrides', () => {
  it('devices: cpu keeps everything on the CPU even with a free GPU', () => {
    const p = run('rtx-3090', { devices: ['cpu'] }).plan!;
    expect(p.fit).toBe('cpu');
    expect(placementArgs(p)).toEqual(['--device', 'none', '-ngl', '0', '-c', '8192', '-np', '1', '-ctk', 'f16', '-ctv', 'f16', '-fa', 'on', '--fit', 'off', '-t', '7']);
  });

  it('devices: CUDA1 uses that GPU although CUDA0 fits as well', () => {
    const r = run('dual-2080', { devices: ['CUDA1'] });
    expect(r.plan!.engineDevices).toEqual(['CUDA1']);
    expect(r.rejected).toContainEqual({ device: 'GPU 0 (RTX 2080)', reason: 'not selected (devices override)' });
    const argv = placementArgs(r.plan!);
    expect(arg(argv, '--device')).toBe('CUDA1');
    expect(arg(argv, '-ngl')).toBe('33');
    expect(argv).not.toContain('-ts');
  });

  it('devices: an unknown device is refused with the ones that exist', () => {
    expect(run('dual-2080', { devices: ['CUDA7'] }).error).toMatch(/cannot use device CUDA7 \(usable here: CUDA0, CUDA1\)/);
    expect(run('dual-2080', { devices: ['cpu', 'CUDA0'] }).error).toMatch(/cpu cannot be combined/);
  });

  it('nGpuLayers: honoured when it fits (partial offload; like llama.cpp, the output layer goes first)', () => {
    const p = run('rtx-3090', { nGpuLayers: 10 }).plan!;
    expect(p.fit).toBe('partial');
    expect(p.devices.find((d) => d.id === 'CUDA0')!).toMatchObject({ layers: 9, hasOutput: true });
    expect(p.devices.find((d) => d.id === 'CPU')!).toMatchObject({ layers: 23, hasOutput: false });
    expect(p.summary).toMatch(/^GPU 0 \(RTX 3090\): 10\/33 layers, .*; CPU: 23\/33 layers/);
    expect(arg(placementArgs(p), '-ngl')).toBe('10');
  });

  it('nGpuLayers: refused with the numbers when it does not fit, accepted when forced', () => {
    const refused = run('dual-2070', { devices: ['CUDA0'], nGpuLayers: 33 }, LLAMA_8B_Q8);
    expect(refused.plan).toBeNull();
    expect(refused.error).toMatch(
      /nGpuLayers 33 does not fit: GPU 0 \(RTX 2070\) needs [\d.]+ GiB, 7\.1 GiB available \(weights [\d.]+ GiB, KV cache 1\.0 GiB, compute \d+ MiB, overhead 384 MiB\)\. At most \d+ layers fit\. Use force/,
    );
    const forced = run('dual-2070', { devices: ['CUDA0'], nGpuLayers: 33, force: true }, LLAMA_8B_Q8);
    expect(forced.plan!.forced).toBe(true);
    expect(forced.plan!.nGpuLayers).toBe(33);
    expect(forced.plan!.warnings.join(' ')).toMatch(/forced: nGpuLayers 33 does not fit/);
  });

  it('tensorSplit: the layers follow the shares given, in device order', () => {
    const p = run('dual-2080', { tensorSplit: [1, 3] }).plan!;
    expect(p.fit).toBe('split');
    const [a, b] = p.devices.filter((d) => d.kind === 'gpu');
    // 33 offloaded layers (the output counts), split at 1/4: layers 0–8 on GPU 0.
    expect(a!.layers).toBe(9);
    expect(b!).toMatchObject({ layers: 23, hasOutput: true });
    const argv = placementArgs(p);
    expect(arg(argv, '-ts')).toBe('1,3');
    expect(arg(argv, '-sm')).toBe('layer');
    expect(arg(argv, '--device')).toBe('CUDA0,CUDA1');
    expect(run('dual-2080', { tensorSplit: [1, 1, 1] }).error).toMatch(/tensorSplit has 3 shares but the plan uses 2 GPUs/);
  });

  it('splitMode none + mainGpu: the whole model on the chosen GPU', () => {
    const p = run('dual-2080', { splitMode: 'none', mainGpu: 1 }).plan!;
    expect(p.engineDevices).toEqual(['CUDA1']);
    expect(arg(placementArgs(p), '-mg')).toBe('0');
  });

  it('contextSize and parallel: honoured and passed as total context and slots', () => {
    const p = run('rtx-3090', { contextSize: 4000, parallel: 3 }).plan!;
    expect(p.contextSize).toBe(4096);
    expect(p.warnings.join(' ')).toMatch(/rounded up from 4000 to 4096/);
    expect(p.summary).toMatch(/context 4096 × 3 slots$/);
    const argv = placementArgs(p);
    expect(arg(argv, '-c')).toBe(String(4096 * 3));
    expect(arg(argv, '-np')).toBe('3');
    expect(p.devices.find((d) => d.id === 'CUDA0')!.kvBytes).toBe(4096 * 3 * 32 * 2 * 1024 * 2);
  });

  it('contextSize beyond what the model was trained for is refused unless forced', () => {
    const small = { ...LLAMA_8B, contextLength: 8192 };
    expect(run('rtx-3090', { contextSize: 16384 }, small).error).toMatch(/larger than the 8192 tokens the model was trained for/);
    expect(run('rtx-3090', { contextSize: 16384, force: true }, small).plan!.contextSize).toBe(16384);
  });

  it('cache types: a q8_0 cache halves the KV memory; what the engine would reject is refused', () => {
    const f16 = run('rtx-3090', {}).plan!.devices.find((d) => d.id === 'CUDA0')!.kvBytes;
    const q8 = run('rtx-3090', { cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' }).plan!;
    expect(q8.devices.find((d) => d.id === 'CUDA0')!.kvBytes).toBe((f16 * 34) / 64);
    expect(arg(placementArgs(q8), '-ctk')).toBe('q8_0');
    expect(run('rtx-3090', { cacheTypeV: 'q4_0', flashAttention: 'off' }).error).toMatch(/cacheTypeV q4_0 needs flash attention/);
    expect(run('rtx-3090', { cacheTypeK: 'q8_0' }, STORIES_LIKE).error).toMatch(/blocks of 32 values, but this model's K head size is 8/);
  });

  it('flashAttention off: costs the attention score matrix in compute memory, passed as -fa off', () => {
    const on = run('rtx-3090', {}).plan!.devices.find((d) => d.id === 'CUDA0')!;
    const off = run('rtx-3090', { flashAttention: 'off' }).plan!;
    // 8192 cells × 512 tokens × 32 heads × 4 bytes = 512 MiB of scores, instead of the FFN phase.
    const extra = off.devices.find((d) => d.id === 'CUDA0')!.computeBytes - on.computeBytes;
    expect(extra).toBe(448 * 1024 ** 2);
    expect(arg(placementArgs(off), '-fa')).toBe('off');
  });

  it('bad override values are refused with the field named', () => {
    expect(run('rtx-3090', { parallel: 0 }).error).toMatch(/parallel must be an integer from 1 to 256/);
    expect(run('rtx-3090', { nGpuLayers: -1 }).error).toMatch(/nGpuLayers must be a whole number/);
    expect(run('rtx-3090', { contextSize: 100 }).error).toMatch(/contextSize must be an integer of at least 256/);
  });
});

describe('argv', () => {
  it('planToArgs keeps the model, alias and API flags and adds the placement', () => {
    const p = run('dual-2080', {}, LLAMA_8B_Q8).plan!;
    const argv = planToArgs({ modelPath: '/m/model.gguf', alias: 'llama', placement: p });
    expect(argv.slice(0, 6)).toEqual(['-m', '/m/model.gguf', '--alias', 'llama', '--no-webui', '--metrics']);
    expect(arg(argv, '--device')).toBe('CUDA0,CUDA1');
    expect(arg(argv, '-ts')).toBe(p.tensorSplit!.join(','));
    expect(arg(argv, '--fit')).toBe('off');
    expect(arg(argv, '-t')).toBe('7'); // 8 cores: one stays free for the app and the engine's HTTP threads
    // HTTP threads: the slots, 2 for health and metrics, and one per gateway spare connection.
    expect(arg(argv, '--threads-http')).toBe(String(p.parallel + 2 + GATEWAY_SPARE_CONNECTIONS));
  });

  it('compute threads leave one core to the app and the HTTP threads, and never go below one', () => {
    expect([1, 2, 4, 16].map(computeThreads)).toEqual([1, 1, 3, 15]);
    const twoCores = machine('no-gpu');
    twoCores.cpu = { ...twoCores.cpu, cores: 2, threads: 2 };
    const p = plan({ hardware: twoCores, model: STORIES_LIKE, modelPath: '/m/model.gguf', overrides: {} }).plan!;
    expect(arg(planToArgs({ modelPath: '/m/model.gguf', alias: 'm', placement: p }), '-t')).toBe('1');
  });

  it('without a placement the old launch plan still works', () => {
    expect(planToArgs({ modelPath: '/m.gguf', alias: 'm', contextSize: 1024, parallel: 2 })).toEqual([
      '-m',
      '/m.gguf',
      '--alias',
      'm',
      '--no-webui',
      '--metrics',
      '-c',
      '1024',
      '-np',
      '2',
      '--threads-http',
      String(2 + 2 + GATEWAY_SPARE_CONNECTIONS),
    ]);
    // Slots unknown (the engine's own default): its own thread count too.
    expect(planToArgs({ modelPath: '/m.gguf', alias: 'm' })).not.toContain('--threads-http');
  });
});
