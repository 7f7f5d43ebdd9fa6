// nvidia-smi --query-gpu CSV parser (both output shapes) and the full captures of real machines in
// test/fixtures/hardware/nvidia-smi-captures (their ~200-column query-gpu sections and version text).
import { describe, expect, it } from 'vitest';
import { mergeNvidia, NVIDIA_CSV_FIELDS, parseNvidiaSmiCsv, parseNvidiaSmiCsvRows, parseNvidiaSmiLive, parseNvidiaSmiVersionText, parseNvidiaSmiXml } from '../../../electron/core/hardware/nvidia.js';
import { ToolOutputError } from '../../../electron/core/hardware/units.js';
import { captureSection, fixture, fixtureFiles, MIB } from './fixture.js';

// The derived CSV files hold these columns (no pci.bus_id), see SOURCES.md.
const DERIVED_FIELDS = NVIDIA_CSV_FIELDS.filter((f) => f !== 'pci.bus_id');

// machine → [name, total MiB, used MiB, free MiB, driver, compute capability] of the idle CSV.
const IDLE: Record<string, [string, number, number, number, string, string]> = {
  'linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05': ['NVIDIA GeForce RTX 2080 SUPER', 8192, 214, 7571, '595.71.05', '7.5'],
  'linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04': ['NVIDIA GeForce RTX 2080 SUPER', 8192, 211, 7582, '610.57.04', '7.5'],
  'linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05': ['NVIDIA GeForce RTX 4080 SUPER', 16376, 596, 15348, '595.71.05', '8.9'],
  'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01': ['NVIDIA H100 80GB HBM3', 81559, 0, 81081, '590.48.01', '9.0'],
  'linux-x86_64__nvidia-h100-mig__590.48.01': ['NVIDIA H100 80GB HBM3', 81559, 59, 81022, '590.48.01', '9.0'],
  'linux-x86_64__nvidia-h200__590.48.01': ['NVIDIA H200', 143771, 0, 143158, '590.48.01', '9.0'],
  'windows-x86_64__nvidia-geforce-rtx-2080-super__591.86': ['NVIDIA GeForce RTX 2080 SUPER', 8192, 702, 7286, '591.86', '7.5'],
  'windows-x86_64__nvidia-geforce-rtx-2080-super__610.62': ['NVIDIA GeForce RTX 2080 SUPER', 8192, 797, 7191, '610.62', '7.5'],
};

// machine → [PCI bus id, MIG mode, CUDA version, load-phase used MiB, load-phase utilisation %, load-phase power.draw W]
const CAPTURE: Record<string, [string, boolean | null, string, number, number | null, number]> = {
  'linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05': ['00000000:0c:00.0', null, '13.2', 819, 8, 111.5],
  'linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04': ['00000000:0c:00.0', null, '13.3', 815, 8, 98.14],
  'linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05': ['00000000:01:00.0', null, '13.2', 1474, 7, 84.24],
  'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01': ['00000000:00:09.0', false, '13.1', 19818, 100, 631.95],
  'linux-x86_64__nvidia-h100-mig__590.48.01': ['00000000:00:09.0', true, '13.1', 11125, null, 433.78],
  'linux-x86_64__nvidia-h200__590.48.01': ['00000000:83:00.0', false, '13.1', 32362, 100, 627.4],
  'windows-x86_64__nvidia-geforce-rtx-2080-super__591.86': ['00000000:0c:00.0', null, '13.1', 1296, 7, 97.43],
  'windows-x86_64__nvidia-geforce-rtx-2080-super__610.62': ['00000000:0c:00.0', null, '13.3', 1366, 7, 97.99],
};

describe('parseNvidiaSmiCsv on the derived CSV files', () => {
  it('has an expectation for every CSV file (two shapes per machine)', () => {
    const machines = new Set(fixtureFiles('nvidia-smi-csv').map((f) => f.replace(/__idle__.*$/, '')));
    expect([...machines].sort()).toEqual(Object.keys(IDLE).sort());
    expect(fixtureFiles('nvidia-smi-csv')).toHaveLength(2 * Object.keys(IDLE).length);
  });

  for (const [machine, [name, total, used, free, driver, cc]] of Object.entries(IDLE)) {
    for (const shape of ['format-csv', 'format-csv-noheader-nounits']) {
      it(`reads ${machine} (${shape}): ${name}, ${total} MiB, compute ${cc}`, () => {
        const { gpus } = parseNvidiaSmiCsv(fixture(`nvidia-smi-csv/${machine}__idle__${shape}.csv`), DERIVED_FIELDS);
        expect(gpus).toHaveLength(1);
        expect(gpus[0]).toMatchObject({
          vendor: 'nvidia',
          name,
          uuid: 'GPU-00000000-0000-0000-0000-000000000000',
          pciBusId: null, // not in these files: unknown
          vramTotalBytes: total * MIB,
          vramUsedBytes: used * MIB,
          vramFreeBytes: free * MIB,
          driverVersion: driver,
          cudaVersion: null,
          computeCapability: cc,
          backends: ['cuda'],
          sources: ['nvidia-smi-csv'],
        });
      });
    }
  }

  it('refuses a header-less file whose columns are not the expected fields, naming them', () => {
    const text = fixture('nvidia-smi-csv/linux-x86_64__nvidia-h200__590.48.01__idle__format-csv-noheader-nounits.csv');
    expect(() => parseNvidiaSmiCsv(text)).toThrow(/has 8 columns, expected 9 \(index, uuid, name, pci\.bus_id,/);
  });

  it('rejects garbage (an error message instead of CSV)', () => {
    expect(() => parseNvidiaSmiCsv("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toThrow(ToolOutputError);
    expect(() => parseNvidiaSmiCsv('x, y, z, 1, 2, 3, 4, 5, 6')).toThrow(/index 'x' is not a number/);
  });
});

describe('the nvidia_gpu_exporter captures', () => {
  it('has an expectation for every capture', () => {
    expect(
      fixtureFiles('nvidia-smi-captures')
        .map((f) => f.replace(/^nvidia_gpu_exporter__|\.txt$/g, ''))
        .sort(),
    ).toEqual(Object.keys(CAPTURE).sort());
  });

  for (const [machine, [pci, mig, cuda, loadUsed, loadUtil, loadWatts]] of Object.entries(CAPTURE)) {
    it(`reads ${machine}: the ~200-column query CSV by its header, and the CUDA version text`, () => {
      const capture = fixture(`nvidia-smi-captures/nvidia_gpu_exporter__${machine}.txt`);
      const idle = parseNvidiaSmiCsv(captureSection(capture, 'idle :: query-gpu (csv, what the exporter parses)'));
      const [name, total, used, free, driver, cc] = IDLE[machine]!;
      expect(idle.gpus).toHaveLength(1);
      expect(idle.gpus[0]).toMatchObject({
        name,
        pciBusId: pci,
        vramTotalBytes: total * MIB,
        vramUsedBytes: used * MIB,
        vramFreeBytes: free * MIB,
        driverVersion: driver,
        computeCapability: cc,
        migEnabled: mig,
      });

      const load = parseNvidiaSmiLive(captureSection(capture, 'load :: query-gpu (csv, what the exporter parses)'));
      expect(load).toHaveLength(1);
      expect(load[0]).toMatchObject({ index: 0, vramTotalBytes: total * MIB, vramUsedBytes: loadUsed * MIB, utilizationPercent: loadUtil, powerWatts: loadWatts });
      expect(load[0]!.temperatureC).toBeGreaterThan(20);

      // drivers ≥ 610 mark the old fields "Deprecated": the number is still read, or taken from the new field
      const q = parseNvidiaSmiVersionText(captureSection(capture, 'idle :: query (-q)'));
      expect(q).toEqual({ driverVersion: driver, cudaVersion: cuda });
      expect(parseNvidiaSmiVersionText(captureSection(capture, 'capabilities :: version'))).toEqual({ driverVersion: driver, cudaVersion: cuda });
    });
  }
});

describe('mergeNvidia', () => {
  it('adds the CSV compute capability to the XML GPUs by PCI bus id, even when UUIDs repeat', () => {
    const xml = parseNvidiaSmiXml(fixture('nvidia-smi-xml/telegraf_dual_2080-v13.xml')).gpus;
    // what `--query-gpu=index,uuid,name,pci.bus_id,…` prints for that machine, second GPU first
    const csv = parseNvidiaSmiCsv(
      [
        '1, GPU-12345678-aaaa-bbbb-cccc-0123456789ab, NVIDIA GeForce RTX 2080, 00000000:02:00.0, 8192, 1, 7786, 590.44.01, 7.6',
        '0, GPU-12345678-aaaa-bbbb-cccc-0123456789ab, NVIDIA GeForce RTX 2080, 00000000:01:00.0, 8192, 1, 7786, 590.44.01, 7.5',
      ].join('\n'),
    ).gpus;
    const merged = mergeNvidia(xml, csv);
    expect(merged.map((g) => [g.pciBusId, g.computeCapability, g.cudaVersion])).toEqual([
      ['00000000:01:00.0', '7.5', '13.1'],
      ['00000000:02:00.0', '7.6', '13.1'],
    ]);
    expect(merged[0]!.sources).toEqual(['nvidia-smi-xml', 'nvidia-smi-csv']);
  });

  it('falls back to the CSV alone when the XML query failed', () => {
    const csv = parseNvidiaSmiCsv(fixture('nvidia-smi-csv/linux-x86_64__nvidia-h200__590.48.01__idle__format-csv.csv')).gpus;
    expect(mergeNvidia([], csv)).toEqual(csv);
  });
});

describe('parseNvidiaSmiCsvRows', () => {
  it('strips units from header names and keeps [N/A] values for the caller to null', () => {
    const rows = parseNvidiaSmiCsvRows('index, memory.total [MiB], utilization.gpu [%]\n0, 8192 MiB, [N/A]\n');
    expect(rows).toEqual([{ index: '0', 'memory.total': '8192 MiB', 'utilization.gpu': '[N/A]' }]);
  });
});
