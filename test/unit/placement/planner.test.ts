// Planner scenarios on real machines (GPU facts parsed from the captured tool output in
// test/fixtures/hardware/) with realistic model shapes.
import { describe, expect, it } from 'vitest';
import type { RunningPlacement } from '../../../electron/contract/placement.js';
import { plan, type PlanInput } from '../../../electron/core/placement/planner.js';
import { machine, type MachineName } from '../../helpers/machines.js';
import { LLAMA_70B_Q4_K_M, LLAMA_8B_Q8_0, SHAPES } from '../../helpers/model-shapes.js';
import { shapeInput } from '../../helpers/placement-models.js';

const GiB = 1024 ** 3;
const LLAMA_8B = shapeInput(SHAPES[0]!);
const NEMO_12B = shapeInput(SHAPES[2]!);
const LLAMA_8B_Q8 = shapeInput(LLAMA_8B_Q8_0);
const LLAMA_70B = shapeInput(LLAMA_70B_Q4_K_M);

function input(name: MachineName, model = LLAMA_8B, extra: Partial<PlanInput> = {}): PlanInput {
  return { hardware: machine(name), model, modelPath: '/models/m.gguf', ...extra };
}

/** An instance that holds `gib` on a device; the snapshot's free memory already shows it (live). */
function running(id: string, device: string, gib: number, opts: Partial<RunningPlacement> = {}): RunningPlacement {
  return { instanceId: id, bytesByDevice: { [device]: gib * GiB }, idle: true, pinned: false, lastUsedAt: 1000, ...opts };
}

function withUsed(p: PlanInput, gpuIndex: number, gib: number): PlanInput {
  const gpus = p.hardware.gpus.map((g) => (g.index === gpuIndex ? { ...g, vramFreeBytes: g.vramFreeBytes! - gib * GiB, vramUsedBytes: g.vramUsedBytes! + gib * GiB } : g));
  return { ...p, hardware: { ...p.hardware, gpus } };
}

describe('automatic placement', () => {
  it('puts an 8B model on the single RTX 3090 with every layer and explains the memory', () => {
    const r = plan(input('rtx-3090'));
    expect(r.error).toBeNull();
    const p = r.plan!;
    expect(p.fit).toBe('gpu');
    expect(p.engineDevices).toEqual(['CUDA0']);
    expect(p.nGpuLayers).toBe(33);
    const gpu = p.devices.find((d) => d.id === 'CUDA0')!;
    expect(gpu.layers).toBe(32);
    expect(gpu.hasOutput).toBe(true);
    // 4.3 GiB of layers+head, 1 GiB KV (8192 × 32 layers × 2 × 1024 × f16), compute, 384 MiB overhead.
    expect(gpu.kvBytes).toBe(8192 * 32 * 2 * 1024 * 2);
    expect(gpu.totalBytes / GiB).toBeGreaterThan(5.5);
    expect(gpu.totalBytes / GiB).toBeLessThan(6.5);
    expect(p.summary).toMatch(/^GPU 0 \(RTX 3090\): 33\/33 layers, 5\.\d GiB of 23\.\d GiB free; context 8192 × 1 slot$/);
    expect(r.rejected).toEqual([]);
    expect(r.eviction).toBeNull();
  });

  it('chooses the GPU that fits best and says why the other was not used', () => {
    const r = plan(withUsed(input('dual-2070'), 1, 1));
    expect(r.plan!.engineDevices).toEqual(['CUDA1']);
    expect(r.rejected).toEqual([{ device: 'GPU 0 (RTX 2070)', reason: expect.stringContaining('not needed') }]);
  });

  it('splits an 8B Q8_0 model over two 8 GiB RTX 2080s when neither holds it alone', () => {
    const r = plan(input('dual-2080', LLAMA_8B_Q8));
    const p = r.plan!;
    expect(p.fit).toBe('split');
    expect(p.engineDevices).toEqual(['CUDA0', 'CUDA1']);
    expect(p.splitMode).toBe('layer');
    expect(p.tensorSplit).toHaveLength(2);
    const [a, b] = p.devices.filter((d) => d.kind === 'gpu');
    expect(a!.layers + b!.layers).toBe(32);
    for (const d of [a!, b!]) expect(d.totalBytes).toBeLessThanOrEqual(d.availableBytes);
    expect(p.summary).toMatch(/GPU 0 \(RTX 2080\): \d+\/33 layers.*GPU 1 \(RTX 2080\): \d+\/33 layers/);
  });

  it('offloads as many layers of a 70B model as fit and keeps the rest on the CPU', () => {
    const r = plan(input('rtx-3090', LLAMA_70B));
    const p = r.plan!;
    expect(p.fit).toBe('partial');
    expect(p.nGpuLayers).toBeGreaterThan(30);
    expect(p.nGpuLayers).toBeLessThan(80);
    const gpu = p.devices.find((d) => d.kind === 'gpu')!;
    const cpu = p.devices.find((d) => d.kind === 'cpu')!;
    expect(gpu.layers + cpu.layers).toBe(80);
    expect(gpu.totalBytes).toBeLessThanOrEqual(gpu.availableBytes);
    // One more layer would not fit.
    const more = plan(input('rtx-3090', LLAMA_70B, { overrides: { nGpuLayers: p.nGpuLayers + 1 } }));
    expect(more.plan).toBeNull();
    expect(more.error).toMatch(/GPU 0 \(RTX 3090\) needs [\d.]+ GiB, [\d.]+ GiB available/);
  });

  it('lowers the default context before giving up layers, and says so', () => {
    const r = plan(input('dual-2070', NEMO_12B, { settings: { defaultContextSize: 32768 } }));
    expect(r.plan!.fit).toBe('split');
    expect(r.plan!.contextSize).toBeLessThan(32768);
    expect(r.plan!.warnings.join(' ')).toMatch(/context lowered from 32768/);
  });

  it('runs on the CPU on a machine without a GPU, within RAM', () => {
    const r = plan(input('no-gpu'));
    expect(r.plan!.fit).toBe('cpu');
    expect(r.plan!.engineDevices).toEqual([]);
    expect(r.plan!.summary).toMatch(/^CPU: 33\/33 layers, [\d.]+ GiB of [\d.]+ GiB RAM free; context 8192 × 1 slot$/);
  });

  it('refuses a machine whose RAM cannot hold the model, with the numbers', () => {
    const r = plan({ ...input('no-gpu', LLAMA_70B), hardware: machine('no-gpu', 16, 12) });
    expect(r.plan).toBeNull();
    expect(r.error).toMatch(/does not fit on this machine: CPU needs [\d.]+ GiB, [\d.]+ GiB available \(weights/);
  });

  it('does not use a MIG-enabled H100 and explains why; a plain H100 takes the 70B model whole', () => {
    const mig = plan(input('h100-mig'));
    expect(mig.plan!.fit).toBe('cpu');
    expect(mig.rejected[0]).toEqual({ device: 'GPU 0 (H100 80GB HBM3)', reason: expect.stringContaining('MIG mode is on') });
    const h100 = plan(input('h100', LLAMA_70B));
    expect(h100.plan!.fit).toBe('gpu');
    expect(h100.plan!.engineDevices).toEqual(['CUDA0']);
  });

  it('places on Apple silicon through Metal within the share of unified memory Metal may use', () => {
    const m1 = (ram: number, free = ram - 2) => ({ ...input('apple-m1'), hardware: machine('apple-m1', ram, free) });
    const r = plan(m1(16));
    expect(r.plan!.fit).toBe('gpu');
    expect(r.plan!.engineDevices).toEqual(['MTL0']);
    expect(r.plan!.devices.find((d) => d.id === 'MTL0')!.overheadBytes).toBe(0);
    // 8 GiB Mac: Metal may wire ~5.3 GiB, not enough for all layers; the rest runs on the CPU from the same RAM.
    const lowered = plan(m1(8, 7.5)).plan!;
    expect(lowered.fit).toBe('gpu');
    expect(lowered.contextSize).toBe(4096);
    const small = plan({ ...m1(8, 7.5), overrides: { contextSize: 8192 } }).plan!;
    expect(small.fit).toBe('partial');
    const used = small.devices.reduce((s, d) => s + d.totalBytes, 0);
    expect(used).toBeLessThanOrEqual(6.5 * GiB);
  });
});

describe('several models on shared GPUs', () => {
  it('packs a second model beside the first without over-committing', () => {
    const first = plan(input('dual-2070')).plan!;
    const held = first.devices.find((d) => d.kind === 'gpu')!;
    // The first instance is still loading: the snapshot does not show its memory yet; the planner counts it anyway.
    const r = plan(input('dual-2070', LLAMA_8B, { running: [running('first', held.id, held.totalBytes / GiB)] }));
    expect(r.plan!.fit).toBe('gpu');
    expect(r.plan!.engineDevices).not.toEqual([held.id]);
    expect(r.rejected.find((x) => x.reason.includes('needs'))!.reason).toMatch(/needs [\d.]+ GiB, [\d.]+ GiB available/);
  });

  it('proposes stopping the least recently used idle instance for a third model, never a pinned one', () => {
    let p = input('dual-2070', LLAMA_8B);
    p = withUsed(withUsed(p, 0, 6), 1, 6);
    const runningNow = [running('old', 'CUDA0', 6, { lastUsedAt: 100 }), running('new', 'CUDA1', 6, { lastUsedAt: 900 })];
    const r = plan({ ...p, running: runningNow });
    // Without eviction only a few layers fit beside the two instances.
    expect(r.plan!.fit).toBe('partial');
    expect(r.eviction!.instanceIds).toEqual(['old']);
    expect(r.eviction!.plan.fit).toBe('gpu');
    expect(r.eviction!.plan.engineDevices).toEqual(['CUDA0']);
    expect(r.eviction!.reason).toMatch(/stopping idle instance old \(least recently used\) frees 6\.0 GiB/);

    const pinned = plan({ ...p, running: [{ ...runningNow[0]!, pinned: true }, runningNow[1]!] });
    expect(pinned.eviction!.instanceIds).toEqual(['new']);
    const busy = plan({ ...p, running: runningNow.map((x) => ({ ...x, idle: false })) });
    expect(busy.eviction).toBeNull();
  });

  it('keeps the safety margin on every GPU', () => {
    const tight = plan(input('rtx-3090', LLAMA_70B, { settings: { gpuMarginBytes: 4 * GiB } })).plan!;
    const loose = plan(input('rtx-3090', LLAMA_70B, { settings: { gpuMarginBytes: 0 } })).plan!;
    expect(tight.nGpuLayers).toBeLessThan(loose.nGpuLayers);
    const gpu = tight.devices.find((d) => d.kind === 'gpu')!;
    expect(gpu.availableBytes).toBe(24120 * 1024 ** 2 - 4 * GiB);
  });
});
