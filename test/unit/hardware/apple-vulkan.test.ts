// system_profiler (Apple) and vulkaninfo --summary parsers, and how Vulkan devices join the GPU list.
import { describe, expect, it } from 'vitest';
import { parseSystemProfilerJson } from '../../../electron/core/hardware/apple.js';
import { addVulkan } from '../../../electron/core/hardware/merge.js';
import { parseNvidiaSmiXml } from '../../../electron/core/hardware/nvidia.js';
import { isVulkanGpu, parseVulkaninfoSummary } from '../../../electron/core/hardware/vulkan.js';
import { fixture, fixtureFiles, GIB } from './fixture.js';

const APPLE = 'apple-system-profiler-json/torchserve_apple-m1_SPDisplaysDataType_mini.json';
const VULKAN = 'vulkaninfo-summary/lact_rtx4080-llvmpipe_vulkaninfo-summary.txt';

describe('parseSystemProfilerJson', () => {
  it('reads the Apple M1 as a unified-memory Metal GPU sized by the system RAM it is given', () => {
    expect(fixtureFiles('apple-system-profiler-json')).toEqual([APPLE.split('/')[1]]);
    const { gpus } = parseSystemProfilerJson(fixture(APPLE), 16 * GIB);
    expect(gpus).toEqual([
      expect.objectContaining({
        vendor: 'apple',
        name: 'Apple M1',
        unifiedMemory: true,
        vramTotalBytes: 16 * GIB,
        vramFreeBytes: null,
        backends: ['metal'],
        uuid: null,
        pciBusId: null,
        driverVersion: null,
      }),
    ]);
  });

  it('leaves the size unknown when the RAM is not known (support mode)', () => {
    expect(parseSystemProfilerJson(fixture(APPLE)).gpus[0]!.vramTotalBytes).toBeNull();
  });

  it('rejects output that is not the SPDisplaysDataType JSON', () => {
    expect(() => parseSystemProfilerJson('Graphics/Displays:\n  Apple M1:')).toThrow(/not JSON/);
    expect(() => parseSystemProfilerJson('{"SPHardwareDataType": []}')).toThrow(/no SPDisplaysDataType/);
  });
});

describe('parseVulkaninfoSummary', () => {
  it('reads both devices of the RTX 4080 + llvmpipe summary', () => {
    expect(fixtureFiles('vulkaninfo-summary')).toEqual([VULKAN.split('/')[1]]);
    const devices = parseVulkaninfoSummary(fixture(VULKAN));
    expect(devices).toEqual([
      {
        ordinal: 0,
        name: 'NVIDIA GeForce RTX 4080',
        vendor: 'nvidia',
        deviceType: 'DISCRETE_GPU',
        driverName: 'NVIDIA',
        driverInfo: '565.77',
        apiVersion: '1.3.289',
        deviceUuid: '3d28c8d2-dcc3-dcb6-1da6-5a521f0bcd6d',
      },
      {
        ordinal: 1,
        name: 'llvmpipe (LLVM 19.1.0, 256 bits)',
        vendor: 'other',
        deviceType: 'CPU',
        driverName: 'llvmpipe',
        driverInfo: 'Mesa 24.2.8 (LLVM 19.1.0)',
        apiVersion: '1.3.289',
        deviceUuid: '6d657361-3234-2e32-2e38-000000000000',
      },
    ]);
    expect(devices.map(isVulkanGpu)).toEqual([true, false]);
  });

  it('reads Windows line endings too', () => {
    expect(parseVulkaninfoSummary(fixture(VULKAN).replace(/\n/g, '\r\n')).map((d) => d.name)).toEqual(['NVIDIA GeForce RTX 4080', 'llvmpipe (LLVM 19.1.0, 256 bits)']);
  });

  it('rejects output without a device list (e.g. "Cannot create Vulkan instance")', () => {
    expect(() => parseVulkaninfoSummary('ERROR: [Loader Message] Code 0 : vkCreateInstance: Found no drivers!\nCannot create Vulkan instance.')).toThrow(/Devices/);
  });
});

describe('addVulkan', () => {
  const rtx4080 = parseVulkaninfoSummary(fixture(VULKAN));

  it('adds a Vulkan-only GPU with unknown memory and skips the CPU renderer', () => {
    const gpus = addVulkan([], rtx4080);
    expect(gpus).toEqual([
      expect.objectContaining({ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4080', vramTotalBytes: null, driverVersion: '565.77', backends: ['vulkan'], sources: ['vulkaninfo-summary'] }),
    ]);
  });

  it('marks a matching nvidia-smi GPU as Vulkan-capable instead of listing it twice', () => {
    const xml = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_rtx-3080-v13.xml')).gpus;
    const vk = rtx4080.map((d) => (d.ordinal === 0 ? { ...d, name: 'NVIDIA GeForce RTX 3080' } : d));
    const gpus = addVulkan(xml, vk);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({ name: 'NVIDIA GeForce RTX 3080', backends: ['cuda', 'vulkan'], sources: ['nvidia-smi-xml', 'vulkaninfo-summary'] });
  });

  it('matches a same-vendor GPU by elimination when the names differ (one of each)', () => {
    const xml = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_gtx-1660-ti.xml')).gpus; // "Graphics Device"
    const gpus = addVulkan(xml, rtx4080);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]!.backends).toEqual(['cuda', 'vulkan']);
  });
});
