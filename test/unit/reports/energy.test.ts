// Energy arithmetic on power samples recorded by nvidia-smi (`dmon`, one sample a second) in the
// H200 capture of the NVIDIA fixtures, idle and under load, and the cost figures built on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costOf, cpuEnergyKwhEstimate, gpuEnergyKwh, type PowerSample } from '../../../electron/core/reports/energy.js';

const CAPTURE = join(import.meta.dirname, '../../fixtures/hardware/nvidia-smi-captures/nvidia_gpu_exporter__linux-x86_64__nvidia-h200__590.48.01.txt');

/** The `pwr` column of a section's `nvidia-smi dmon -c 5` (one line per second), as timed samples. */
function dmonSamples(section: 'idle' | 'load', startMs: number): PowerSample[] {
  const text = readFileSync(CAPTURE, 'utf8');
  const from = text.indexOf(`# ${section} :: dmon`);
  const block = text.slice(from, text.indexOf('\n#####', text.indexOf('\n', text.indexOf('# Idx', from)) + 1));
  const rows = block
    .split('\n')
    .filter((l) => /^\s+\d+\s+\d+/.test(l))
    .map((l) => l.trim().split(/\s+/).map(Number));
  return rows.map((r, i) => ({ timeMs: startMs + i * 1000, device: `gpu${r[0]}`, powerWatts: r[1]! }));
}

describe('energy', () => {
  it('integrates the recorded H200 power draw: 77 W idle and ~630 W under load for 4 s each', () => {
    const idle = dmonSamples('idle', 0);
    const load = dmonSamples('load', 10_000);
    expect(idle.map((s) => s.powerWatts)).toEqual([77, 77, 77, 77, 77]);
    expect(load.map((s) => s.powerWatts)).toEqual([630, 628, 629, 632, 630]);
    expect(gpuEnergyKwh(idle).total).toBeCloseTo((77 * 4) / 3_600_000, 12);
    // Trapezoids: (630+628)/2 + (628+629)/2 + (629+632)/2 + (632+630)/2 = 2519 W·s.
    const both = gpuEnergyKwh([...idle, ...load], 60_000);
    expect(both.byDevice.gpu0).toBeCloseTo((77 * 4 + 2519 + ((77 + 630) / 2) * 6) / 3_600_000, 12); // the 6 s between is bridged (under the gap limit)
    expect(gpuEnergyKwh([...idle, ...load], 5_000).total).toBeCloseTo((77 * 4 + 2519) / 3_600_000, 12); // ...unless longer than the gap limit
    expect(both.measuredSeconds).toBe(14);
  });

  it('never invents power a tool did not report, and estimates the CPU from TDP × utilisation', () => {
    expect(
      gpuEnergyKwh([
        { timeMs: 0, device: 'gpu0', powerWatts: null },
        { timeMs: 1000, device: 'gpu0', powerWatts: null },
      ]).total,
    ).toBe(0);
    expect(
      cpuEnergyKwhEstimate(
        [
          { timeMs: 0, utilizationPercent: 50 },
          { timeMs: 3_600_000 / 2, utilizationPercent: 50 },
        ],
        100,
        3_600_000,
      ),
    ).toBeCloseTo(0.025, 12);
  });

  it('prices energy and amortisation per million tokens beside a reference price', () => {
    const c = costOf({ gpuKwh: 10, cpuKwhEstimate: 2, pricePerKwh: 0.3, amortisationPerMonth: 300, monthFraction: 0.5, tokens: 20_000_000, referencePerMillionTokens: 2.5 });
    expect(c.energyCost).toBeCloseTo(3.6, 10);
    expect(c.amortisation).toBe(150);
    expect(c.perMillionTokens).toBeCloseTo(153.6 / 20, 10);
    expect(c.referenceCost).toBe(50);
    expect(costOf({ gpuKwh: 0, cpuKwhEstimate: 0, pricePerKwh: 0.3, amortisationPerMonth: 0, monthFraction: 1, tokens: 0, referencePerMillionTokens: null })).toMatchObject({
      perMillionTokens: null,
      referenceCost: null,
    });
  });
});

describe('hardware samples', () => {
  it('record each GPU’s power draw from the live sample (null where the tool reports none) beside the CPU row', async () => {
    const { hardwareRows } = await import('../../../electron/core/reports/sampler.js');
    const gpu = (index: number, powerWatts: number | null) => ({ index, uuid: null, vramTotalBytes: 1, vramUsedBytes: 1, vramFreeBytes: 0, utilizationPercent: 50, temperatureC: null, powerWatts });
    const rows = hardwareRows(1000, 12.5, { sampledAt: '', gpus: [gpu(0, 627.4), gpu(1, null)], warnings: [] });
    expect(rows.map((r) => [r.device, r.powerWatts])).toEqual([
      ['cpu', null],
      ['gpu0', 627.4],
      ['gpu1', null],
    ]);
  });
});
