// Plans for this machine use memory as it is now: a live sample that shows the GPU nearly full
// (another program took it after detection) keeps the model off it.
import { describe, expect, it } from 'vitest';
import { previewPlan } from '../../electron/core/plans/service.js';
import { machine } from '../helpers/machines.js';
import { ensureShapeFile, SHAPES } from '../helpers/model-shapes.js';

const GiB = 1024 ** 3;

describe('previewPlan with live memory', () => {
  const model = ensureShapeFile(SHAPES[0]!); // Llama-3.1-8B Q4_K_M shape, sparse (~4.9 GB, no disk)
  const snapshot = machine('rtx-3090');
  const gpu = snapshot.gpus[0]!;

  it('puts the model on the GPU when the memory is free', async () => {
    const r = await previewPlan({ model }, { hardware: async () => snapshot, live: async () => ({ gpus: null, availableRamBytes: null }) });
    expect(r.plan?.fit).toBe('gpu');
  });

  it('offloads only what fits in the memory left on a GPU that another program filled since detection', async () => {
    const sample = {
      index: gpu.index,
      uuid: gpu.uuid,
      vramTotalBytes: gpu.vramTotalBytes,
      vramUsedBytes: gpu.vramTotalBytes! - 2 * GiB,
      vramFreeBytes: 2 * GiB,
      utilizationPercent: 90,
      temperatureC: null,
      powerWatts: null,
    };
    const r = await previewPlan({ model }, { hardware: async () => snapshot, live: async () => ({ gpus: [sample], availableRamBytes: 48 * GiB }) });
    expect(r.plan?.fit).toBe('partial'); // only what fits in the 2 GiB left goes to the GPU
    const onGpu = r.plan!.devices.find((d) => d.kind === 'gpu')!;
    expect(onGpu.availableBytes).toBeLessThan(2 * GiB);
    expect(onGpu.totalBytes).toBeLessThanOrEqual(onGpu.availableBytes);
  });

  it('ignores live memory when planning for another machine’s snapshot', async () => {
    const sample = {
      index: gpu.index,
      uuid: gpu.uuid,
      vramTotalBytes: gpu.vramTotalBytes,
      vramUsedBytes: gpu.vramTotalBytes,
      vramFreeBytes: 0,
      utilizationPercent: 100,
      temperatureC: null,
      powerWatts: null,
    };
    const r = await previewPlan({ model, hardware: snapshot }, { live: async () => ({ gpus: [sample], availableRamBytes: 0 }) });
    expect(r.plan?.fit).toBe('gpu');
  });
});
