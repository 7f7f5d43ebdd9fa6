// The planner honours the GPU visibility variables recorded in the snapshot: hidden GPUs are never
// planned on and appear in rejected[] with the reason; CUDA numbers follow the visible order.
import { describe, expect, it } from 'vitest';
import type { HardwareSnapshot } from '../../../electron/contract/hardware.js';
import { parseListDevices, matchEngineDevices } from '../../../electron/core/hardware/engine-devices.js';
import { plan, type PlanInput } from '../../../electron/core/placement/planner.js';
import { machine, type MachineName } from '../../helpers/machines.js';
import { LLAMA_8B_Q8_0, SHAPES } from '../../helpers/model-shapes.js';
import { shapeInput } from '../../helpers/placement-models.js';

const LLAMA_8B = shapeInput(SHAPES[0]!);
const LLAMA_8B_Q8 = shapeInput(LLAMA_8B_Q8_0);

function hw(name: MachineName, visibility: HardwareSnapshot['visibility']): HardwareSnapshot {
  return { ...machine(name), ...(visibility ? { visibility } : {}) };
}
const input = (hardware: HardwareSnapshot, model = LLAMA_8B, extra: Partial<PlanInput> = {}): PlanInput => ({ hardware, model, modelPath: '/models/m.gguf', ...extra });

describe('planner under GPU visibility variables (no engine device list)', () => {
  it('CUDA_VISIBLE_DEVICES=1: plans on GPU 1 as CUDA0 and rejects GPU 0 as hidden', () => {
    const r = plan(input(hw('dual-2070', { CUDA_VISIBLE_DEVICES: '1' })));
    expect(r.plan!.engineDevices).toEqual(['CUDA0']);
    expect(r.plan!.summary).toMatch(/^GPU 1 \(RTX 2070\): 33\/33 layers/);
    expect(r.rejected).toEqual([{ device: 'GPU 0 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=1' }]);
  });

  it('CUDA_VISIBLE_DEVICES=0: the issue example reason for GPU 1', () => {
    const r = plan(input(hw('dual-2070', { CUDA_VISIBLE_DEVICES: '0' })));
    expect(r.plan!.summary).toMatch(/^GPU 0 \(RTX 2070\)/);
    expect(r.rejected).toContainEqual({ device: 'GPU 1 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=0' });
  });

  it('CUDA_VISIBLE_DEVICES=1,0: a split names GPU 1 CUDA0 and GPU 0 CUDA1', () => {
    const r = plan(input(hw('dual-2080', { CUDA_VISIBLE_DEVICES: '1,0' }), LLAMA_8B_Q8));
    const p = r.plan!;
    expect(p.fit).toBe('split');
    expect(p.devices.filter((d) => d.kind === 'gpu').map((d) => [d.id, d.gpuIndex])).toEqual([
      ['CUDA1', 0],
      ['CUDA0', 1],
    ]);
  });

  it('CUDA_VISIBLE_DEVICES="": CPU only, both GPUs rejected with the reason', () => {
    const r = plan(input(hw('dual-2070', { CUDA_VISIBLE_DEVICES: '' })));
    expect(r.plan!.fit).toBe('cpu');
    expect(r.plan!.engineDevices).toEqual([]);
    expect(r.rejected).toEqual([
      { device: 'GPU 0 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=""' },
      { device: 'GPU 1 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=""' },
    ]);
  });

  it('an invalid entry ends the list: "0,x,1" leaves only GPU 0', () => {
    const r = plan(input(hw('dual-2070', { CUDA_VISIBLE_DEVICES: '0,x,1' })));
    expect(r.plan!.engineDevices).toEqual(['CUDA0']);
    expect(r.rejected).toContainEqual({ device: 'GPU 1 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=0,x,1' });
  });

  it('GPU-<uuid prefix>: plans on the GPU with that UUID', () => {
    const r = plan(input(hw('dual-2070', { CUDA_VISIBLE_DEVICES: 'GPU-12345678-aaaa-bbbb-cccc-0123456789c' })));
    expect(r.plan!.summary).toMatch(/^GPU 1 \(RTX 2070\)/);
    expect(r.plan!.engineDevices).toEqual(['CUDA0']);
  });

  it('without visibility (older snapshots, support mode) nothing changes', () => {
    const r = plan(input(hw('dual-2070', undefined)));
    expect(r.rejected.every((x) => !x.reason.includes('hidden'))).toBe(true);
  });
});

describe('planner with an engine device list under CUDA_VISIBLE_DEVICES', () => {
  it('names the matched device and gives the hidden reason for the GPU the engine does not list', () => {
    const hardware = hw('dual-2070', { CUDA_VISIBLE_DEVICES: '1' });
    const engineDevices = matchEngineDevices(parseListDevices('Available devices:\n  CUDA0: NVIDIA GeForce RTX 2070 (7982 MiB, 7800 MiB free)\n'), hardware.gpus, hardware.visibility);
    const r = plan(input(hardware, LLAMA_8B, { engineDevices }));
    expect(r.plan!.engineDevices).toEqual(['CUDA0']);
    expect(r.plan!.summary).toMatch(/^GPU 1 \(RTX 2070\)/);
    expect(r.rejected).toEqual([{ device: 'GPU 0 (RTX 2070)', reason: 'hidden by CUDA_VISIBLE_DEVICES=1' }]);
  });
});
