// GPU visibility variables (CUDA_VISIBLE_DEVICES & co.) on the real dual RTX 2070 / 2080 captures:
// which GPUs the engine then sees, in which order, and how CUDA0 is matched to a detected GPU.
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../../electron/contract/index.js';
import { detectHardware } from '../../../electron/core/hardware/detect.js';
import { matchEngineDevices, parseListDevices } from '../../../electron/core/hardware/engine-devices.js';
import { visibilityFromEnv, visibilityWarnings, visibleGpus } from '../../../electron/core/hardware/visibility.js';
import { machine } from '../../helpers/machines.js';

const DUAL_2070 = machine('dual-2070').gpus; // GPU 0 …89ab at 01:00.0, GPU 1 …89cd at 02:00.0
const idx = (gpus: (GpuInfo | null)[]) => gpus.map((g) => (g ? g.index : null));
const cuda = (value: string) => visibleGpus(DUAL_2070, { CUDA_VISIBLE_DEVICES: value });

describe('visibleGpus (CUDA_VISIBLE_DEVICES)', () => {
  it('sees every NVIDIA GPU in PCI order when the variable is unset', () => {
    const r = visibleGpus(DUAL_2070, { PATH: '/usr/bin' });
    expect(idx(r.visible)).toEqual([0, 1]);
    expect(r.hidden).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('"1" shows only the second GPU and hides the first with a reason', () => {
    const r = cuda('1');
    expect(idx(r.visible)).toEqual([1]);
    expect(r.hidden.map((h) => [h.gpu.index, h.reason])).toEqual([[0, 'hidden by CUDA_VISIBLE_DEVICES=1']]);
  });

  it('"1,0" reverses the engine order', () => {
    expect(idx(cuda('1,0').visible)).toEqual([1, 0]);
    expect(idx(cuda(' 1 , 0 ').visible)).toEqual([1, 0]);
  });

  it('accepts a full UUID and a unique UUID prefix (case-insensitive), refuses an ambiguous prefix', () => {
    expect(idx(cuda('GPU-12345678-aaaa-bbbb-cccc-0123456789cd').visible)).toEqual([1]);
    expect(idx(cuda('gpu-12345678-AAAA-bbbb-cccc-0123456789c').visible)).toEqual([1]);
    const ambiguous = cuda('GPU-12345678');
    expect(ambiguous.visible).toEqual([]);
    expect(ambiguous.warnings[0]).toMatch(/"GPU-12345678".*fits 2 GPUs.*every entry after it/);
  });

  it('an empty value hides every GPU', () => {
    const r = cuda('');
    expect(r.visible).toEqual([]);
    expect(r.hidden.map((h) => h.reason)).toEqual(['hidden by CUDA_VISIBLE_DEVICES=""', 'hidden by CUDA_VISIBLE_DEVICES=""']);
  });

  it('stops at the first invalid entry like CUDA does, and warns', () => {
    const r = cuda('1,7,0');
    expect(idx(r.visible)).toEqual([1]);
    expect(r.hidden.map((h) => h.gpu.index)).toEqual([0]);
    expect(r.warnings).toEqual(['CUDA_VISIBLE_DEVICES=1,7,0: "7" is not a visible GPU (there is no GPU 7 among 2); the runtime ignores it and every entry after it']);
    expect(idx(cuda('abc,0').visible)).toEqual([]);
    expect(idx(cuda('0,0,1').visible)).toEqual([0]);
  });

  it('keeps a MIG instance as an unmatched engine slot with a warning', () => {
    const r = cuda('MIG-4f1e2d3c-0000-1111-2222-333344445555,1');
    expect(idx(r.engineOrder)).toEqual([null, 1]);
    expect(idx(r.visible)).toEqual([1]);
    expect(r.warnings[0]).toMatch(/MIG instance MIG-4f1e.* is not matched/);
  });

  it('does not apply CUDA_VISIBLE_DEVICES to Vulkan; GGML_VK_VISIBLE_DEVICES takes indices', () => {
    const vk = DUAL_2070.map((g) => ({ ...g, backends: [...g.backends, 'vulkan' as const] }));
    expect(idx(visibleGpus(vk, { CUDA_VISIBLE_DEVICES: '1' }, 'vulkan').visible)).toEqual([0, 1]);
    expect(idx(visibleGpus(vk, { GGML_VK_VISIBLE_DEVICES: '1' }, 'vulkan').visible)).toEqual([1]);
  });

  it('records only the variables that are set and says what CUDA sees', () => {
    const vars = visibilityFromEnv({ CUDA_VISIBLE_DEVICES: '1,0', HIP_VISIBLE_DEVICES: undefined, HOME: '/root' });
    expect(vars).toEqual({ CUDA_VISIBLE_DEVICES: '1,0' });
    expect(visibilityWarnings(DUAL_2070, vars)).toEqual([{ source: 'os', message: 'CUDA_VISIBLE_DEVICES=1,0 is set: CUDA sees GPU 1 as CUDA0, GPU 0 as CUDA1' }]);
    expect(visibilityWarnings(DUAL_2070, {})).toEqual([]);
  });
});

describe('matchEngineDevices under CUDA_VISIBLE_DEVICES', () => {
  const two2080 = machine('dual-2080').gpus;
  const line = (n: number) => `  CUDA${n}: NVIDIA GeForce RTX 2080 (7971 MiB, 7786 MiB free)\n`;

  it('"1": CUDA0 is the second GPU', () => {
    const devices = parseListDevices(`Available devices:\n${line(0)}`);
    expect(matchEngineDevices(devices, two2080, { CUDA_VISIBLE_DEVICES: '1' }).map((d) => [d.id, d.gpuIndex])).toEqual([['CUDA0', 1]]);
    expect(matchEngineDevices(devices, two2080).map((d) => d.gpuIndex)).toEqual([0]);
  });

  it('"1,0": CUDA0 is GPU 1 and CUDA1 is GPU 0', () => {
    const devices = parseListDevices(`Available devices:\n${line(0)}${line(1)}`);
    expect(matchEngineDevices(devices, two2080, { CUDA_VISIBLE_DEVICES: '1,0' }).map((d) => [d.id, d.gpuIndex])).toEqual([
      ['CUDA0', 1],
      ['CUDA1', 0],
    ]);
  });

  it('"GPU-<prefix>": CUDA0 is the GPU with that UUID (the RTX 2070 capture has distinct UUIDs)', () => {
    const devices = parseListDevices('Available devices:\n  CUDA0: NVIDIA GeForce RTX 2070 (7982 MiB, 7800 MiB free)\n');
    const uuid = DUAL_2070[1]!.uuid!;
    expect(matchEngineDevices(devices, DUAL_2070, { CUDA_VISIBLE_DEVICES: uuid.slice(0, -1) })[0]!.gpuIndex).toBe(1);
    expect(matchEngineDevices(devices, DUAL_2070, { CUDA_VISIBLE_DEVICES: uuid })[0]!.gpuIndex).toBe(1);
  });

  it('a MIG instance in the list matches no GPU', () => {
    const devices = parseListDevices(`Available devices:\n  CUDA0: NVIDIA GeForce RTX 2080 MIG 1g.4gb (3900 MiB, 3800 MiB free)\n${line(1)}`);
    expect(matchEngineDevices(devices, two2080, { CUDA_VISIBLE_DEVICES: 'MIG-abc,1' }).map((d) => d.gpuIndex)).toEqual([null, 1]);
  });
});

describe('detectHardware records the visibility variables', () => {
  it('puts the set variables in snapshot.visibility and says what CUDA sees in warnings', async () => {
    const s = await detectHardware({ visibilityEnv: { CUDA_VISIBLE_DEVICES: '', PATH: '/usr/bin' }, systemGraphics: false, timeoutMs: 2000 });
    expect(s.visibility).toEqual({ CUDA_VISIBLE_DEVICES: '' });
    expect(s.warnings).toContainEqual({ source: 'os', message: 'CUDA_VISIBLE_DEVICES="" is set: CUDA sees no GPU' });
  });
});
