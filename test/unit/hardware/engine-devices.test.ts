// `llama-server --list-devices` parsing and matching engine devices (CUDA0, Vulkan1, …) to detected GPUs.
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../../electron/contract/index.js';
import { matchEngineDevices, parseListDevices } from '../../../electron/core/hardware/engine-devices.js';
import { buildSnapshot } from '../../../electron/core/hardware/merge.js';
import { parseNvidiaSmiXml } from '../../../electron/core/hardware/nvidia.js';
import { parseRocmSmiJson } from '../../../electron/core/hardware/amd.js';
import type { SourceOutcome } from '../../../electron/core/hardware/types.js';
import { fixture, MIB } from './fixture.js';

// Lines in llama.cpp's format: printf("  %s: %s (%zu MiB, %zu MiB free)\n", name, description, total, free).
const RTX4090 = 'Available devices:\n  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23012 MiB free)\n';

function gpusOf(outcomes: SourceOutcome[]): GpuInfo[] {
  const cpu = { brand: null, arch: 'x64', cores: null, threads: 1, avx: null, avx2: null, avx512: null, neon: null };
  return buildSnapshot({ platform: 'linux', detectedAt: new Date(0), cpu, memory: { totalBytes: 1, availableBytes: null }, outcomes }).gpus;
}
const nvidia = (file: string): SourceOutcome => ({ source: 'nvidia-smi-xml', answered: true, gpus: parseNvidiaSmiXml(fixture(`nvidia-smi-xml/${file}`)).gpus, warnings: [] });

describe('parseListDevices', () => {
  it('reads the issue example line into bytes', () => {
    expect(parseListDevices(RTX4090)).toEqual([{ id: 'CUDA0', backend: 'cuda', name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MIB, freeBytes: 23012 * MIB, gpuIndex: null }]);
  });

  it('reads a CPU-only build ("(none)") as no devices, ignoring log lines around the list', () => {
    expect(parseListDevices('load_backend: loaded CPU backend\nAvailable devices:\n  (none)\n')).toEqual([]);
  });

  it('names backends from the device id and keeps devices of backends it does not place on', () => {
    const out =
      'ggml_vulkan: Found 1 Vulkan devices:\nAvailable devices:\n  Vulkan0: AMD Radeon RX 7800 XT (RADV NAVI32) (16368 MiB, 15000 MiB free)\n  ROCm0: AMD Radeon RX 7800 XT (16368 MiB, 16000 MiB free)\n  MTL0: Apple M2 Max (49152 MiB, 49152 MiB free)\n  RPC[192.168.1.2:50052]: RPC[192.168.1.2:50052] (8000 MiB, 7000 MiB free)\n';
    expect(parseListDevices(out).map((d) => [d.id, d.backend, d.name])).toEqual([
      ['Vulkan0', 'vulkan', 'AMD Radeon RX 7800 XT (RADV NAVI32)'],
      ['ROCm0', 'rocm', 'AMD Radeon RX 7800 XT'],
      ['MTL0', 'metal', 'Apple M2 Max'],
      ['RPC[192.168.1.2:50052]', 'other', 'RPC[192.168.1.2:50052]'],
    ]);
  });

  it('rejects output that has no device list (an older build without --list-devices)', () => {
    expect(() => parseListDevices('error: invalid argument: --list-devices')).toThrow(/Available devices/);
  });
});

describe('matchEngineDevices', () => {
  it('maps CUDA0/CUDA1 to two identical GPUs in PCI order', () => {
    const gpus = gpusOf([nvidia('telegraf_dual_2080-v13.xml')]);
    const devices = parseListDevices('Available devices:\n  CUDA0: NVIDIA GeForce RTX 2080 (7971 MiB, 7786 MiB free)\n  CUDA1: NVIDIA GeForce RTX 2080 (7971 MiB, 7786 MiB free)\n');
    expect(matchEngineDevices(devices, gpus).map((d) => [d.id, d.gpuIndex])).toEqual([
      ['CUDA0', 0],
      ['CUDA1', 1],
    ]);
  });

  it('matches by name and memory across vendors and backends on a mixed machine', () => {
    const amd: SourceOutcome = { source: 'rocm-smi-json', answered: true, gpus: parseRocmSmiJson(fixture('rocm-smi-json/telegraf_vega-20-WKS-GL-XE.json')).gpus, warnings: [] };
    const gpus = gpusOf([nvidia('telegraf_rtx-3090-v12.xml'), amd]); // GPU 0: RTX 3090 24 GiB, GPU 1: MI50 32 GiB
    const devices = parseListDevices(
      'Available devices:\n  CUDA0: NVIDIA GeForce RTX 3090 (24135 MiB, 23800 MiB free)\n  Vulkan0: Radeon Instinct MI50 32GB (32752 MiB, 32000 MiB free)\n  Vulkan1: NVIDIA GeForce RTX 3090 (24576 MiB, 24000 MiB free)\n',
    );
    expect(matchEngineDevices(devices, gpus).map((d) => [d.id, d.gpuIndex])).toEqual([
      ['CUDA0', 0],
      ['Vulkan0', 1],
      ['Vulkan1', 0],
    ]);
  });

  it('leaves a device unmatched when its memory contradicts every GPU (a MIG slice of an A100)', () => {
    const gpus = gpusOf([nvidia('telegraf_a100-sxm4-v12.xml')]);
    const devices = parseListDevices('Available devices:\n  CUDA0: NVIDIA A100-SXM4-80GB MIG 2g.20gb (19968 MiB, 19955 MiB free)\n');
    expect(matchEngineDevices(devices, gpus)[0]!.gpuIndex).toBeNull();
  });

  it('does not guess for Vulkan when two GPUs could fit and the name matches neither', () => {
    const gpus = gpusOf([nvidia('telegraf_dual_2070-v13.xml')]);
    const devices = parseListDevices('Available devices:\n  Vulkan0: llvmpipe (LLVM 15.0.7, 256 bits) (8192 MiB, 8192 MiB free)\n');
    expect(matchEngineDevices(devices, gpus)[0]!.gpuIndex).toBeNull();
  });
});
