// Placement over RPC workers on the hardware fixtures: a 70B Q4 model over two 24 GB workstations
// (this machine's RTX 3090 + a worker's), refused over two 8 GB ones with the numbers; workers forced
// and forbidden per deployment; the engine's device names and argv; the network cost.
import { describe, expect, it } from 'vitest';
import type { HardwareSnapshot, RemoteDevice } from '../../../electron/contract/hardware.js';
import { planToArgs } from '../../../electron/core/engines/args.js';
import { plan, type PlanInput } from '../../../electron/core/placement/planner.js';
import { machine } from '../../helpers/machines.js';
import { LLAMA_70B_Q4_K_M, SHAPES } from '../../helpers/model-shapes.js';
import { shapeInput } from '../../helpers/placement-models.js';

const GiB = 1024 ** 3;
const LLAMA_70B = shapeInput(LLAMA_70B_Q4_K_M);
const LLAMA_8B = shapeInput(SHAPES[0]!);

/** A worker whose one device is the first GPU of a fixture machine (its memory as the tools reported it). */
function workerGpu(worker: string, from: HardwareSnapshot): RemoteDevice {
  const g = from.gpus[0]!;
  return { worker, id: 'CUDA0', position: 0, workerDevices: 1, name: g.name, kind: 'gpu', totalBytes: g.vramTotalBytes, freeBytes: g.vramFreeBytes, usable: true, reason: null };
}

function workerCpu(worker: string, freeGiB: number): RemoteDevice {
  return { worker, id: 'CPU', position: 0, workerDevices: 1, name: 'test CPU', kind: 'cpu', totalBytes: 64 * GiB, freeBytes: freeGiB * GiB, usable: true, reason: null };
}

/** This machine: its first GPU only, with little RAM, so partial offload to the CPU cannot hold the rest. */
function oneGpu(name: 'rtx-3090' | 'dual-2070', ramGiB = 16, freeGiB = 12): HardwareSnapshot {
  const hw = machine(name, ramGiB, freeGiB);
  return { ...hw, gpus: hw.gpus.slice(0, 1) };
}

function input(hardware: HardwareSnapshot, remote: RemoteDevice[], extra: Partial<PlanInput> = {}): PlanInput {
  return { hardware, remote, model: LLAMA_70B, modelPath: '/models/70b.gguf', ...extra };
}

describe('placement over RPC workers', () => {
  it('splits a 70B Q4 model over two 24 GB workstations: every layer on the two GPUs, with the network cost', () => {
    const r = plan(input(oneGpu('rtx-3090'), [workerGpu('10.0.0.2:50052', machine('rtx-3090'))]));
    expect(r.error).toBeNull();
    const p = r.plan!;
    expect(p.fit).toBe('split');
    expect(p.rpcServers).toEqual(['10.0.0.2:50052']);
    expect(p.engineDevices).toEqual(['CUDA0', 'RPC0']);
    expect(p.nGpuLayers).toBe(81);
    const local = p.devices.find((d) => d.id === 'CUDA0')!;
    const remote = p.devices.find((d) => d.worker === '10.0.0.2:50052')!;
    expect(remote.id).toBe('10.0.0.2:50052/CUDA0');
    expect(local.layers + remote.layers).toBe(80);
    for (const d of [local, remote]) expect(d.totalBytes).toBeLessThanOrEqual(d.availableBytes);
    // Local first: this machine's GPU is filled at least as much as the worker's.
    expect(local.layers).toBeGreaterThanOrEqual(remote.layers);
    // here → CUDA0 … → RPC0 … → output on RPC0 → logits back: two machine boundaries per token.
    expect(p.network!.crossings).toBe(2);
    expect(p.network!.bytesPerToken).toBe(8192 * 4 + LLAMA_70B.vocabSize * 4);
    expect(p.network!.text).toMatch(/2 machine boundaries per token/);
    expect(p.summary).toContain('on worker 10.0.0.2:50052');
    const argv = planToArgs({ modelPath: '/models/70b.gguf', alias: 'm', placement: p });
    expect(argv.join(' ')).toContain('--rpc 10.0.0.2:50052 --device CUDA0,RPC0 -ngl 81 -sm layer -ts ');
    expect(argv.indexOf('--rpc')).toBeLessThan(argv.indexOf('--device'));
  });

  it('refuses a 70B Q4 model over two 8 GB workstations and says how much each device lacks', () => {
    const r = plan(input(oneGpu('dual-2070'), [workerGpu('10.0.0.3:50052', machine('dual-2070'))]));
    expect(r.plan).toBeNull();
    expect(r.error).toMatch(/does not fit/);
    const worker = r.rejected.find((x) => x.device.startsWith('worker 10.0.0.3:50052'))!;
    expect(worker.reason).toMatch(/^needs \d+(\.\d)? GiB, \d+(\.\d)? GiB available \(weights/);
    expect(r.rejected.find((x) => x.device === 'CPU')!.reason).toMatch(/needs .* of system RAM/);
    expect(r.error).toContain('worker 10.0.0.3:50052');
  });

  it('keeps a model that fits here off the workers unless the deployment asks for them', () => {
    const remote = [workerGpu('10.0.0.2:50052', machine('rtx-3090'))];
    const auto = plan({ ...input(oneGpu('rtx-3090'), remote), model: LLAMA_8B });
    expect(auto.plan!.rpcServers).toBeUndefined();
    expect(auto.plan!.engineDevices).toEqual(['CUDA0']);
    expect(auto.rejected).toContainEqual({ device: 'worker 10.0.0.2:50052 CUDA0 (NVIDIA GeForce RTX 3090)', reason: 'not needed: the model fits on this machine' });
    const always = plan({ ...input(oneGpu('rtx-3090'), remote), model: LLAMA_8B, overrides: { workers: 'always' } });
    expect(always.plan!.rpcServers).toEqual(['10.0.0.2:50052']);
    expect(always.plan!.devices.some((d) => d.worker && d.layers > 0)).toBe(true);
  });

  it('never uses a worker when the deployment forbids it: the 70B model is then refused with the numbers', () => {
    const r = plan(input(oneGpu('rtx-3090'), [workerGpu('10.0.0.2:50052', machine('rtx-3090'))], { overrides: { workers: 'never' } }));
    expect(r.plan).toBeNull();
    expect(r.error).toMatch(/CPU needs .* of system RAM/);
  });

  it('splits between this CPU and a CPU worker when a local RAM limit leaves too little here, keeping most layers here', () => {
    const hw = machine('no-gpu', 64, 60);
    const model = LLAMA_8B;
    const whole = plan({ hardware: hw, model, modelPath: '/m.gguf' }).plan!;
    const cpuNeed = whole.devices.find((d) => d.kind === 'cpu')!.totalBytes;
    const limitMiB = Math.floor((cpuNeed * 0.7) / 2 ** 20);
    const r = plan({ hardware: hw, remote: [workerCpu('127.0.0.1:50052', 32)], model, modelPath: '/m.gguf', overrides: { localRamLimitMiB: limitMiB } });
    const p = r.plan!;
    expect(p.rpcServers).toEqual(['127.0.0.1:50052']);
    expect(p.engineDevices).toEqual(['RPC0']);
    const cpu = p.devices.find((d) => d.kind === 'cpu')!;
    const remote = p.devices.find((d) => d.worker)!;
    expect(cpu.totalBytes).toBeLessThanOrEqual(limitMiB * 2 ** 20);
    expect(cpu.layers).toBeGreaterThan(0);
    expect(cpu.layers + remote.layers).toBe(32);
    // Fewest layers off this machine: one more layer here would not fit the limit.
    expect(p.nGpuLayers).toBeGreaterThan(1);
    const argv = planToArgs({ modelPath: '/m.gguf', alias: 'm', placement: p });
    expect(argv.slice(argv.indexOf('--rpc'), argv.indexOf('--rpc') + 6)).toEqual(['--rpc', '127.0.0.1:50052', '--device', 'RPC0', '-ngl', String(p.nGpuLayers)]);
  });

  it('skips a worker that is offline or busy, with its reason, and numbers RPC devices over several workers', () => {
    const busy = { ...workerGpu('10.0.0.9:50052', machine('rtx-3090')), usable: false, reason: 'in use by another engine (rpc-server serves one client at a time)' };
    const two: RemoteDevice[] = [
      { ...workerCpu('10.0.0.4:50052', 8), workerDevices: 2 },
      { ...workerGpu('10.0.0.4:50052', machine('rtx-3090')), position: 1, workerDevices: 2 },
    ];
    const r = plan(input(oneGpu('rtx-3090'), [busy, ...two]));
    expect(r.rejected).toContainEqual({ device: 'worker 10.0.0.9:50052 CUDA0 (NVIDIA GeForce RTX 3090)', reason: busy.reason });
    // The worker's GPU is its second device: RPC1 once `--rpc 10.0.0.4:50052` registers RPC0 (its CPU) and RPC1.
    expect(r.plan!.rpcServers).toEqual(['10.0.0.4:50052']);
    expect(r.plan!.engineDevices).toEqual(['CUDA0', 'RPC1']);
  });

  it('refuses `workers: always` without a usable worker, saying how to add one', () => {
    const r = plan({ ...input(oneGpu('rtx-3090'), []), model: LLAMA_8B, overrides: { workers: 'always' } });
    expect(r.plan).toBeNull();
    expect(r.error).toMatch(/no worker is registered: `llama-orch workers add <host:port>`/);
  });

  it('rejects bad worker overrides by name', () => {
    expect(plan({ ...input(oneGpu('rtx-3090'), []), overrides: { workers: 'sometimes' as never } }).error).toMatch(/^workers must be auto, never or always/);
    expect(plan({ ...input(oneGpu('rtx-3090'), []), overrides: { localRamLimitMiB: 0 } }).error).toMatch(/^localRamLimitMiB must be/);
  });
});
