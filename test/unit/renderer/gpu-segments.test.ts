// The dashboard's VRAM bar: each instance's share of a GPU, from the engine's own report where it
// logged one (trace logs) and from its placement plan otherwise; the rest is other programs.
import { describe, expect, it } from 'vitest';
import type { EngineFacts, GpuInfo, InstanceInfo } from '../../../electron/contract/index.js';
import { gpuSegments } from '../../../renderer/src/features/dashboard/selectors.js';

const GiB = 1024 ** 3;
const gpu = { index: 0, name: 'RTX 3090', vramTotalBytes: 24 * GiB, vramUsedBytes: 10 * GiB } as GpuInfo;

function instance(id: string, devices: { gpuIndex: number | null; totalBytes: number }[]): InstanceInfo {
  return {
    id,
    modelId: id,
    modelPath: '/m.gguf',
    enginePath: '/e',
    state: 'ready',
    reason: null,
    pid: 1,
    port: 1,
    restarts: 0,
    startedAt: null,
    readyAt: null,
    argv: [],
    placement: { summary: '', contextSize: 4096, parallel: 4, devices: devices.map((d, n) => ({ id: d.gpuIndex === null ? 'CPU' : `CUDA${n}`, name: 'x', layers: 1, ...d })) },
  };
}

describe('gpuSegments', () => {
  it('uses the planned bytes on this GPU when the engine reported no buffers', () => {
    const segs = gpuSegments(
      gpu,
      undefined,
      [
        instance('llama', [
          { gpuIndex: 0, totalBytes: 6 * GiB },
          { gpuIndex: null, totalBytes: GiB },
        ]),
      ],
      {},
    );
    expect(segs).toEqual([
      { label: 'llama', bytes: 6 * GiB, tone: 'seg-0' },
      { label: 'other programs', bytes: 4 * GiB, tone: 'seg-other' },
    ]);
  });

  it('prefers what the engine reported, and leaves out instances on other GPUs', () => {
    const facts = { llama: { buffers: [{ device: 'CUDA0', kind: 'model', bytes: 5 * GiB }] } as unknown as EngineFacts };
    const segs = gpuSegments(
      gpu,
      { index: 0, uuid: null, vramTotalBytes: 24 * GiB, vramUsedBytes: 12 * GiB, vramFreeBytes: 12 * GiB, utilizationPercent: null, temperatureC: null, powerWatts: null },
      [instance('llama', [{ gpuIndex: 0, totalBytes: 6 * GiB }]), instance('qwen', [{ gpuIndex: 1, totalBytes: 3 * GiB }])],
      facts,
    );
    expect(segs).toEqual([
      { label: 'llama', bytes: 5 * GiB, tone: 'seg-0' },
      { label: 'other programs', bytes: 7 * GiB, tone: 'seg-other' },
    ]);
  });
});
