// VRAM gauges at scrape time, from a snapshot parsed out of a real `nvidia-smi -q -x` capture and a
// live sample (the hardware service is faked at its seam).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { collectDeviceMetrics } from '../../../electron/core/api/metrics.js';
import { snapshotFromToolOutputs } from '../../../electron/core/hardware/detect.js';
import { FIXTURES } from '../../helpers/paths.js';

const XML_DIR = join(FIXTURES, 'hardware', 'nvidia-smi-xml');
const XML = readFileSync(join(XML_DIR, 'telegraf_3090-v13.xml'), 'utf8');

describe('collectDeviceMetrics', () => {
  it('reports VRAM per GPU from the live sample and what each instance was placed with', async () => {
    const snapshot = await snapshotFromToolOutputs([{ tool: 'nvidia-smi-xml', text: XML }]);
    expect(snapshot.gpus.length).toBeGreaterThan(0);
    const g0 = snapshot.gpus[0]!;
    const live = {
      sampledAt: new Date().toISOString(),
      gpus: [{ index: g0.index, uuid: g0.uuid, vramTotalBytes: g0.vramTotalBytes, vramUsedBytes: 7 * 2 ** 30, vramFreeBytes: null, utilizationPercent: 42, temperatureC: null, powerWatts: null }],
      warnings: [],
    };
    const registry = new Registry();
    const models = { runningPlacements: () => [{ instanceId: 'llama-8b', bytesByDevice: { CUDA0: 6 * 2 ** 30, CPU: 2 ** 28 }, idle: true, pinned: false, lastUsedAt: 0 }] };
    await collectDeviceMetrics(registry, { snapshot: async () => snapshot, live: async () => live }, models);
    const text = await registry.metrics();
    const gpu = snapshot.gpus[0]!;
    expect(text).toContain(`llama_orch_gpu_vram_total_bytes{gpu="0",name="${gpu.name}"} ${live.gpus[0]!.vramTotalBytes}`);
    expect(text).toContain(`llama_orch_gpu_vram_used_bytes{gpu="0",name="${gpu.name}"} ${7 * 2 ** 30}`);
    expect(text).toContain(`llama_orch_gpu_utilization_percent{gpu="0",name="${gpu.name}"} 42`);
    expect(text).toContain(`llama_orch_instance_planned_bytes{instance="llama-8b",device="CUDA0"} ${6 * 2 ** 30}`);
    // A second scrape after the instance is gone drops its series.
    await collectDeviceMetrics(registry, { snapshot: async () => snapshot, live: async () => live }, { runningPlacements: () => [] });
    expect(await registry.metrics()).not.toContain('instance="llama-8b"');
  });

  it('reports nothing for GPUs on a machine without any', async () => {
    const registry = new Registry();
    const snapshot = await snapshotFromToolOutputs([]);
    await collectDeviceMetrics(registry, { snapshot: async () => snapshot, live: async () => ({ sampledAt: '', gpus: [], warnings: [] }) }, { runningPlacements: () => [] });
    expect(await registry.metrics()).not.toMatch(/llama_orch_gpu_vram_total_bytes\{/);
  });
});
