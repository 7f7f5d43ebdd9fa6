// Small pure helpers: value parsing, the XML reader, CPU flags, systeminformation's GPU list, the table.
import { describe, expect, it } from 'vitest';
import { formatSnapshot } from '../../../electron/core/hardware/format.js';
import { cpuFlagsFrom, gpusFromSystemInformation } from '../../../electron/core/hardware/system.js';
import { isUnknown, mibToBytes, pciBusId, sizeToBytes } from '../../../electron/core/hardware/units.js';
import { parseXml, textAt } from '../../../electron/core/hardware/xml.js';
import { MIB } from './fixture.js';

describe('value parsing', () => {
  it('treats the tools\' spellings of "unknown" as unknown', () => {
    for (const v of ['N/A', '[N/A]', '[Not Supported]', 'N/A (Secondary die)', '', '  ', '[Requested functionality has been deprecated]']) expect(isUnknown(v), v).toBe(true);
    expect(isUnknown('0')).toBe(false);
  });

  it('converts MiB and unit sizes to bytes exactly', () => {
    expect(mibToBytes('24576 MiB')).toBe(24576 * MIB);
    expect(mibToBytes('[N/A]')).toBeNull();
    expect(sizeToBytes('8 GB')).toBe(8 * 1024 ** 3);
    expect(sizeToBytes('1536 MB')).toBe(1536 * MIB);
    expect(sizeToBytes('lots')).toBeNull();
  });

  it('normalises PCI bus ids to an 8-digit domain, lower case', () => {
    expect(pciBusId('00000000:2D:00.0')).toBe('00000000:2d:00.0');
    expect(pciBusId('0000:07:00.0')).toBe('00000000:07:00.0');
    expect(pciBusId('garbage')).toBeNull();
  });
});

describe('parseXml', () => {
  it('reads attributes, entities and CDATA', () => {
    const doc = parseXml('<?xml version="1.0"?><!DOCTYPE a SYSTEM "x.dtd"><!-- c --><a id="1&amp;2"><b>R&amp;D &lt;x&gt; &#65;</b><c><![CDATA[<raw>]]></c><d/></a>');
    expect(doc.attrs.id).toBe('1&2');
    expect(textAt(doc, 'b')).toBe('R&D <x> A');
    expect(textAt(doc, 'c')).toBe('<raw>');
    expect(textAt(doc, 'd')).toBe('');
    expect(textAt(doc, 'missing')).toBeNull();
  });

  it('refuses mismatched tags and two roots', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes <b>/);
    expect(() => parseXml('<a/><b/>')).toThrow(/more than one root/);
  });
});

describe('cpuFlagsFrom', () => {
  it('reads AVX flags on x64 and knows NEON is part of arm64', () => {
    expect(cpuFlagsFrom('fpu sse avx avx2 fma', 'x64', 'linux')).toEqual({ avx: true, avx2: true, avx512: false, neon: false });
    expect(cpuFlagsFrom('avx avx2 avx512f avx512bw', 'x64', 'linux').avx512).toBe(true);
    expect(cpuFlagsFrom('', 'x64')).toEqual({ avx: null, avx2: null, avx512: null, neon: false });
    expect(cpuFlagsFrom('', 'arm64')).toEqual({ avx: false, avx2: false, avx512: false, neon: true });
  });
});

describe('gpusFromSystemInformation', () => {
  it('maps controllers, leaving dynamic (shared) memory unknown and flagged unified', () => {
    const gpus = gpusFromSystemInformation([
      { vendor: 'Intel Corporation', model: 'UHD Graphics 630', vram: 1024, vramDynamic: true, pciBus: '0000:00:02.0' },
      { vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', model: 'Radeon RX 6600', vram: 8176, vramDynamic: false },
      { vendor: '', model: '' },
    ]);
    expect(gpus.map((g) => [g.vendor, g.name, g.vramTotalBytes, g.unifiedMemory, g.pciBusId, g.backends])).toEqual([
      ['intel', 'UHD Graphics 630', null, true, '00000000:00:02.0', []],
      ['amd', 'Radeon RX 6600', 8176 * MIB, false, null, []],
    ]);
  });
});

describe('formatSnapshot', () => {
  it('prints one row per GPU with sizes in GiB and unknowns as "?"', () => {
    const text = formatSnapshot({
      schemaVersion: 1,
      detectedAt: '2026-01-01T00:00:00.000Z',
      platform: 'linux',
      cpu: { brand: 'Test CPU', arch: 'x64', cores: 8, threads: 16, avx: true, avx2: true, avx512: false, neon: false },
      memory: { totalBytes: 64 * 1024 ** 3, availableBytes: null },
      gpus: [
        {
          index: 0,
          vendor: 'nvidia',
          name: 'NVIDIA H100 80GB HBM3',
          uuid: null,
          pciBusId: '00000000:00:09.0',
          vramTotalBytes: 81559 * MIB,
          vramFreeBytes: 81022 * MIB,
          vramUsedBytes: 59 * MIB,
          unifiedMemory: false,
          driverVersion: '590.48.01',
          cudaVersion: '13.1',
          computeCapability: '9.0',
          migEnabled: true,
          backends: ['cuda'],
          sources: ['nvidia-smi-xml'],
        },
      ],
      sources: ['nvidia-smi-xml'],
      warnings: [{ source: 'vulkaninfo-summary', message: 'vulkaninfo is not installed (not found on PATH)' }],
    });
    expect(text).toContain('CPU     Test CPU (x64), 8 cores / 16 threads, AVX yes, AVX2 yes, AVX-512 no');
    expect(text).toContain('Memory  64.0 GiB total, ? available');
    expect(text).toMatch(/^0\s+nvidia\s+NVIDIA H100 80GB HBM3 \[MIG\]\s+79\.6 GiB\s+79\.1 GiB\s+590\.48\.01\s+13\.1\s+9\.0\s+cuda\s+00000000:00:09\.0$/m);
    expect(text).toContain('  - vulkaninfo-summary: vulkaninfo is not installed (not found on PATH)');
  });
});
