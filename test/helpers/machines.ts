// Hardware snapshots of real machines for placement tests, built by the hardware module's own parsers
// from the captured tool output in test/fixtures/hardware/ (GPU facts) plus a stated CPU and RAM.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HardwareSnapshot } from '../../electron/contract/hardware.js';
import { parseSystemProfilerJson } from '../../electron/core/hardware/apple.js';
import { buildSnapshot } from '../../electron/core/hardware/merge.js';
import { parseNvidiaSmiCsv, parseNvidiaSmiXml } from '../../electron/core/hardware/nvidia.js';
import type { GpuFacts } from '../../electron/core/hardware/types.js';
import { FIXTURES } from './paths.js';

const GiB = 1024 ** 3;
const hw = (...p: string[]) => readFileSync(join(FIXTURES, 'hardware', ...p), 'utf8');
const CSV_FIELDS = ['index', 'uuid', 'name', 'memory.total', 'memory.used', 'memory.free', 'driver_version', 'compute_cap'];

export type MachineName = 'dual-2080' | 'dual-2070' | 'rtx-3090' | 'h100' | 'h100-mig' | 'apple-m1' | 'no-gpu';

function gpusOf(name: MachineName, ramBytes: number): GpuFacts[] {
  switch (name) {
    case 'dual-2080':
      return parseNvidiaSmiXml(hw('nvidia-smi-xml', 'telegraf_dual_2080-v13.xml')).gpus;
    case 'dual-2070':
      return parseNvidiaSmiXml(hw('nvidia-smi-xml', 'telegraf_dual_2070-v13.xml')).gpus;
    case 'rtx-3090':
      return parseNvidiaSmiXml(hw('nvidia-smi-xml', 'telegraf_3090-v13.xml')).gpus;
    case 'h100':
      return parseNvidiaSmiCsv(hw('nvidia-smi-csv', 'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__idle__format-csv-noheader-nounits.csv'), CSV_FIELDS).gpus;
    case 'h100-mig':
      // The capture this CSV comes from reports "MIG Mode: Current: Enabled" (nvidia-smi -q); the CSV has no MIG column.
      return parseNvidiaSmiCsv(hw('nvidia-smi-csv', 'linux-x86_64__nvidia-h100-mig__590.48.01__idle__format-csv-noheader-nounits.csv'), CSV_FIELDS).gpus.map((g) => ({ ...g, migEnabled: true }));
    case 'apple-m1':
      return parseSystemProfilerJson(hw('apple-system-profiler-json', 'torchserve_apple-m1_SPDisplaysDataType_mini.json'), ramBytes).gpus;
    case 'no-gpu':
      return [];
  }
}

/** A snapshot of the named machine with `ramGiB` of RAM, `freeRamGiB` of it available. */
export function machine(name: MachineName, ramGiB = 64, freeRamGiB = ramGiB - 4): HardwareSnapshot {
  const ram = ramGiB * GiB;
  return buildSnapshot({
    platform: name === 'apple-m1' ? 'darwin' : 'linux',
    detectedAt: new Date(0),
    cpu: { brand: 'test CPU', arch: name === 'apple-m1' ? 'arm64' : 'x64', cores: 8, threads: 16, avx: true, avx2: true, avx512: false, neon: name === 'apple-m1' },
    memory: { totalBytes: ram, availableBytes: freeRamGiB * GiB },
    outcomes: [{ source: name === 'apple-m1' ? 'system-profiler-json' : 'nvidia-smi-xml', answered: true, gpus: gpusOf(name, ram), warnings: [] }],
  });
}
