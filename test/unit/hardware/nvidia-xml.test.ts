// nvidia-smi -q -x parser against every captured XML document in test/fixtures/hardware/nvidia-smi-xml.
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from '../../../electron/core/hardware/nvidia.js';
import { ToolOutputError } from '../../../electron/core/hardware/units.js';
import { fixture, fixtureFiles, MIB } from './fixture.js';

interface Expect {
  name: string;
  uuid: string | null;
  pci: string | null;
  totalMiB: number;
  usedMiB: number;
  freeMiB: number;
  mig: boolean | null;
}
const gpu = (name: string, uuid: string | null, pci: string | null, totalMiB: number, usedMiB: number, freeMiB: number, mig: boolean | null = null): Expect => ({
  name,
  uuid,
  pci,
  totalMiB,
  usedMiB,
  freeMiB,
  mig,
});

// Values read off the files by hand (driver, CUDA, then one row per <gpu>).
const EXPECTED: Record<string, { driver: string | null; cuda: string | null; gpus: Expect[] }> = {
  'telegraf_3090-v13.xml': { driver: '590.44.01', cuda: '13.1', gpus: [gpu('NVIDIA GeForce RTX 3090', 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', '00000000:09:00.0', 24576, 7, 24120)] },
  'telegraf_a100-sxm4-v12.xml': { driver: '535.54.03', cuda: '12.2', gpus: [gpu('NVIDIA A100-SXM4-80GB', 'GPU-513536b6-7d19-9063-b049-1e69664bb298', '00000000:01:00.0', 81920, 50, 80999, true)] },
  'telegraf_dual_2070-v13.xml': {
    driver: '590.44.01',
    cuda: '13.1',
    gpus: [
      gpu('NVIDIA GeForce RTX 2070', 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', '00000000:01:00.0', 8192, 1, 7786),
      gpu('NVIDIA GeForce RTX 2070', 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd', '00000000:02:00.0', 8192, 1, 7786),
    ],
  },
  'telegraf_dual_2080-v13.xml': {
    driver: '590.44.01',
    cuda: '13.1',
    gpus: [
      gpu('NVIDIA GeForce RTX 2080', 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', '00000000:01:00.0', 8192, 1, 7786),
      gpu('NVIDIA GeForce RTX 2080', 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', '00000000:02:00.0', 8192, 1, 7786),
    ],
  },
  // trimmed document: no driver, CUDA, attached count, PCI section or MIG mode
  'telegraf_gtx-1070-ti.xml': { driver: null, cuda: null, gpus: [gpu('GeForce GTX 1070 Ti', 'GPU-f9ba66fc-a7f5-94c5-da19-019ef2f9c665', '00000000:01:00.0', 4096, 42, 4054)] },
  'telegraf_gtx-1660-ti.xml': { driver: '418.43', cuda: '10.1', gpus: [gpu('Graphics Device', 'GPU-304a277d-3545-63b8-3a36-dfde3c992989', '00000000:43:00.0', 5912, 0, 5912)] },
  'telegraf_quadro-p2000-v12.xml': { driver: '525.125.06', cuda: '12.0', gpus: [gpu('Quadro P2000', 'GPU-396caaed-39ca-3199-2e68-717cdb786ec6', '00000000:17:00.0', 5120, 1, 5051)] },
  'telegraf_quadro-p400.xml': { driver: '418.43', cuda: '10.1', gpus: [gpu('Quadro P400', 'GPU-8f750be4-dfbc-23b9-b33f-da729a536494', '00000000:43:00.0', 1998, 0, 1998)] },
  'telegraf_rtx-3060-v12.xml': { driver: '570.124.04', cuda: '12.8', gpus: [gpu('NVIDIA GeForce RTX 3060', 'GPU-d6889ff6-2523-9142-ca3c-1ca3f396a625', '00000000:2d:00.0', 12288, 116, 11806)] },
  // Windows (WDDM) driver numbering
  'telegraf_rtx-3080-v12.xml': { driver: '536.40', cuda: '12.2', gpus: [gpu('NVIDIA GeForce RTX 3080', 'GPU-19d6d965-2acc-f646-00f8-4c76979aabb4', '00000000:04:00.0', 10240, 1128, 8938)] },
  'telegraf_rtx-3080-v13.xml': { driver: '595.58.03', cuda: '13.2', gpus: [gpu('NVIDIA GeForce RTX 3080', 'GPU-19d6d965-2acc-f646-00f8-4c76979aabb4', '00000000:0c:00.0', 10240, 9184, 660)] },
  'telegraf_rtx-3090-v12.xml': { driver: '525.147.05', cuda: '12.0', gpus: [gpu('NVIDIA GeForce RTX 3090', 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', '00000000:00:10.0', 24576, 1, 24258)] },
  'telegraf_tesla-t4.xml': { driver: '515.105.01', cuda: '11.7', gpus: [gpu('Tesla T4', 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a', '00000000:00:1e.0', 15360, 1032, 13939)] },
};

describe('parseNvidiaSmiXml', () => {
  it('has an expectation for every captured XML file', () => {
    expect(fixtureFiles('nvidia-smi-xml')).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`reads ${file}: ${want.gpus.length} GPU(s), names, memory in bytes, driver ${want.driver}, CUDA ${want.cuda}`, () => {
      const { gpus } = parseNvidiaSmiXml(fixture(`nvidia-smi-xml/${file}`));
      expect(gpus).toHaveLength(want.gpus.length);
      gpus.forEach((g, i) => {
        const w = want.gpus[i]!;
        expect(g).toMatchObject({
          vendor: 'nvidia',
          name: w.name,
          uuid: w.uuid,
          pciBusId: w.pci,
          vramTotalBytes: w.totalMiB * MIB,
          vramUsedBytes: w.usedMiB * MIB,
          vramFreeBytes: w.freeMiB * MIB,
          driverVersion: want.driver,
          cudaVersion: want.cuda,
          migEnabled: w.mig,
          unifiedMemory: false,
          backends: ['cuda'],
          sources: ['nvidia-smi-xml'],
        });
        // the XML report has no compute capability: unknown, not guessed
        expect(g.computeCapability).toBeNull();
      });
    });
  }

  it('uses the GPUs it lists when the header claims more (attached_gpus 4, one <gpu>), and says so', () => {
    const { gpus, notes } = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_a100-sxm4-v12.xml'));
    expect(gpus).toHaveLength(1);
    expect(notes).toContain('nvidia-smi reports 4 attached GPUs but lists 1; only the listed GPUs are used');
  });

  it('reports MIG mode and its instance count on the A100', () => {
    const { gpus, notes } = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_a100-sxm4-v12.xml'));
    expect(gpus[0]!.migEnabled).toBe(true);
    expect(notes).toContain('NVIDIA A100-SXM4-80GB: MIG is enabled (4 instances); CUDA sees the MIG instances, not the whole GPU');
  });

  it('keeps two identical GPUs apart by PCI bus id, in nvidia-smi order', () => {
    const { gpus } = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_dual_2080-v13.xml'));
    expect(gpus.map((g) => g.pciBusId)).toEqual(['00000000:01:00.0', '00000000:02:00.0']);
  });

  it('rejects garbage, HTML and a foreign XML document with a clear error', () => {
    expect(() => parseNvidiaSmiXml('Segmentation fault (core dumped)')).toThrow(ToolOutputError);
    expect(() => parseNvidiaSmiXml('<html><body>oops</body></html>')).toThrow(/expected an <nvidia_smi_log> document, got <html>/);
    expect(() => parseNvidiaSmiXml('<nvidia_smi_log><gpu id="x"><product_name>A</product_name>')).toThrow(/never closed/);
    expect(() => parseNvidiaSmiXml('')).toThrow(/no root element/);
  });

  it('parses a truncated-but-closed document with no GPUs as zero GPUs (driver loaded, no device)', () => {
    const { gpus, notes } = parseNvidiaSmiXml('<?xml version="1.0" ?><nvidia_smi_log><driver_version>550.1</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>');
    expect(gpus).toEqual([]);
    expect(notes).toEqual([]);
  });
});
