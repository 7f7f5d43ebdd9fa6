// Hardware samples for the energy figures: CPU utilisation (from the OS's CPU times between two
// samples) and RAM in use, plus each GPU's utilisation and memory from the hardware module's live
// sample, with its power draw where the tool reports one (nvidia-smi `power.draw`).
import { cpus, freemem, totalmem } from 'node:os';
import type { GpuLiveReport } from '../../contract/index.js';
import type { HardwareRow } from '../store/types.js';

/** CPU busy share since the previous call (null on the first call). */
export class CpuUtilisation {
  private last: { idle: number; total: number } | null = null;

  sample(times = cpus().map((c) => c.times)): number | null {
    const idle = times.reduce((s, t) => s + t.idle, 0);
    const total = times.reduce((s, t) => s + t.user + t.nice + t.sys + t.idle + t.irq, 0);
    const prev = this.last;
    this.last = { idle, total };
    if (!prev || total <= prev.total) return null;
    return Math.round(1000 * (1 - (idle - prev.idle) / (total - prev.total))) / 10;
  }
}

export function hardwareRows(nowMs: number, cpuPercent: number | null, live: GpuLiveReport | null): HardwareRow[] {
  const rows: HardwareRow[] = [{ timeMs: nowMs, device: 'cpu', utilizationPercent: cpuPercent, memoryUsedBytes: totalmem() - freemem(), powerWatts: null }];
  for (const g of live?.gpus ?? []) {
    rows.push({ timeMs: nowMs, device: `gpu${g.index}`, utilizationPercent: g.utilizationPercent, memoryUsedBytes: g.vramUsedBytes, powerWatts: g.powerWatts });
  }
  return rows;
}
