// rocm-smi JSON and rocminfo parsers against every captured file in test/fixtures/hardware/.
import { describe, expect, it } from 'vitest';
import { gfxTarget, mergeRocminfo, parseRocminfo, parseRocmSmiJson } from '../../../electron/core/hardware/amd.js';
import { ToolOutputError } from '../../../electron/core/hardware/units.js';
import { fixture, fixtureFiles, MIB } from './fixture.js';

type Row = [name: string, vendor: 'amd' | 'other', uuid: string | null, pci: string | null, total: number | null, used: number | null, gfx: string | null];
const EXPECTED: Record<string, { driver: string | null; cards: Row[] }> = {
  'gpustack_amd-gpu-6.2.4-rocm-smi.json': { driver: null, cards: [['Navi 32 [Radeon RX 7700 XT / 7800 XT]', 'amd', '0x5c88007d760374f3', null, 17163091968, 11615076352, 'gfx1101']] },
  // Hygon's fork: sizes in MiB under lower-case "vram" keys, a non-AMD vendor
  'gpustack_hygon-gpu-24.04.3-rocm-smi.json': { driver: null, cards: [['DCU xxxx', 'other', '7100fa8866904061', null, 65520 * MIB, 2 * MIB, null]] },
  'telegraf_mi100_rocm571.json': {
    driver: '6.2.4',
    cards: ['1e', '22', '3f', '43', '46', '49'].map((bus): Row => ['Arcturus GL-XL [Instinct MI100]', 'amd', null, `00000000:${bus}:00.0`, 34342961152, 6782976, null]),
  },
  // ROCm 4.3 prints the PCI vendor id as "Card series": no product name, so the device id names it
  'telegraf_rx6700xt_rocm430.json': { driver: '6.3.6', cards: [['AMD GPU (device 0x73df)', 'amd', null, '00000000:07:00.0', 12868124672, 1622728704, null]] },
  'telegraf_rx6700xt_rocm571.json': { driver: '6.3.6', cards: [['Navi 22 [Radeon RX 6700/6700 XT / 6800M]', 'amd', null, '00000000:07:00.0', 12868124672, 1564491776, null]] },
  'telegraf_rx6700xt_rocm602.json': { driver: '6.3.6', cards: [['Navi 22 [Radeon RX 6700/6700 XT / 6800M]', 'amd', null, '00000000:07:00.0', 12868124672, 1572757504, null]] },
  'telegraf_vega-10-XT.json': { driver: '5.9.25', cards: [['AMD GPU (device 0x6861)', 'amd', '0x2150e7d042a1124', '00000000:04:00.0', 17163091968, 17776640, null]] },
  'telegraf_vega-20-WKS-GL-XE.json': { driver: '5.9.17', cards: [['Radeon Instinct MI50 32GB', 'amd', '0x2f048617326b1ea', '00000000:63:00.0', 34342961152, 10850304, null]] },
  // discovery query: no memory asked → sizes unknown (null), not zero
  'torchserve_mi250-x2dies_discovery.json': { driver: null, cards: [0, 1].map((): Row => ['AMD INSTINCT MI250 (MCM) OAM AC MBA', 'amd', null, null, null, null, 'gfx90a']) },
  'torchserve_mi250-x2dies_metrics.json': { driver: null, cards: [0, 1].map((): Row => ['AMD INSTINCT MI250 (MCM) OAM AC MBA', 'amd', null, null, 68702699520, 51527024640, 'gfx90a']) },
};

describe('parseRocmSmiJson', () => {
  it('has an expectation for every rocm-smi file', () => {
    expect(fixtureFiles('rocm-smi-json')).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`reads ${file}: ${want.cards.length} GPU(s)`, () => {
      const { gpus } = parseRocmSmiJson(fixture(`rocm-smi-json/${file}`));
      expect(gpus.map((g) => [g.name, g.vendor, g.uuid, g.pciBusId, g.vramTotalBytes, g.vramUsedBytes, g.computeCapability])).toEqual(want.cards);
      for (const g of gpus) {
        expect(g.driverVersion).toBe(want.driver);
        expect(g.vramFreeBytes).toBe(g.vramTotalBytes !== null && g.vramUsedBytes !== null ? g.vramTotalBytes - g.vramUsedBytes : null);
        expect(g).toMatchObject({ backends: ['rocm'], sources: ['rocm-smi-json'], unifiedMemory: false, cudaVersion: null });
      }
    });
  }

  it('treats the secondary MI250 die (power "N/A (Secondary die)") as a GPU of its own', () => {
    const { gpus } = parseRocmSmiJson(fixture('rocm-smi-json/torchserve_mi250-x2dies_metrics.json'));
    expect(gpus).toHaveLength(2);
    expect(gpus[1]!.vramTotalBytes).toBe(68702699520);
  });

  it('rejects non-JSON and non-object output', () => {
    expect(() => parseRocmSmiJson('ERROR: GPU[0]: Unable to open driver')).toThrow(/not JSON/);
    expect(() => parseRocmSmiJson('[1,2]')).toThrow(ToolOutputError);
  });
});

describe('gfxTarget', () => {
  it('turns rocm-smi GFX Version into the LLVM target name', () => {
    expect(gfxTarget('gfx9010')).toBe('gfx90a');
    expect(gfxTarget('gfx11001')).toBe('gfx1101');
    expect(gfxTarget('gfx90a')).toBe('gfx90a');
    expect(gfxTarget('N/A')).toBeNull();
  });
});

describe('parseRocminfo', () => {
  it('lists only GPU agents with their gfx target, marketing name and uuid', () => {
    expect(fixtureFiles('rocminfo-text')).toHaveLength(2);
    expect(parseRocminfo(fixture('rocminfo-text/gpustack_amd-gpu-6.2.4-rocminfo.txt'))).toEqual([
      { name: 'gfx1101', marketingName: 'AMD Radeon RX 7800 XT', vendorName: 'AMD', uuid: 'GPU-5c88007d760374f3' },
    ]);
    expect(parseRocminfo(fixture('rocminfo-text/gpustack_hygon-gpu-24.04.3-rocminfo.txt'))).toEqual([{ name: 'gfx928', marketingName: 'K1xx_AI', vendorName: 'HYGON', uuid: 'GPU-7100fa8866904061' }]);
  });

  it('names rocm-smi GPUs by their marketing name and gfx target, matched by unique id', () => {
    const smi = parseRocmSmiJson(fixture('rocm-smi-json/gpustack_amd-gpu-6.2.4-rocm-smi.json')).gpus;
    const [g] = mergeRocminfo(smi, parseRocminfo(fixture('rocminfo-text/gpustack_amd-gpu-6.2.4-rocminfo.txt')));
    expect(g).toMatchObject({ name: 'AMD Radeon RX 7800 XT', computeCapability: 'gfx1101', vramTotalBytes: 17163091968, sources: ['rocm-smi-json', 'rocminfo-text'] });
  });

  it('rejects output without an agent list', () => {
    expect(() => parseRocminfo('ROCk module is NOT loaded, possibly no GPU devices')).toThrow(/HSA Agents/);
  });
});
