// The Linux last-resort GPU list from sysfs: a fake /sys/bus/pci tree and pci.ids in a temp dir, then
// this machine's real /sys (which must answer without starting a process).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectPciGraphics, pciNames } from '../../../electron/core/hardware/linux-pci.js';
import { tempDir } from '../../helpers/tmp.js';
import { GIB, startedDuring } from './fixture.js';

// The layout of the real database: vendors sorted by id, devices indented by a tab, subsystems by two.
const PCI_IDS = [
  '# pci.ids excerpt',
  '1002  Advanced Micro Devices, Inc. [AMD/ATI]',
  '\t73bf  Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]',
  '\t\t1002 0e3a  Radeon RX 6900 XT',
  '1af4  Red Hat, Inc.',
  '\t1050  Virtio 1.0 GPU',
  '8086  Intel Corporation',
  '\t3e92  CoffeeLake-S GT2 [UHD Graphics 630]',
  '10de  out of order: its devices are never taken',
  '\t2330  wrong name',
  '',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
].join('\n');

interface FakeDevice {
  address: string;
  cls: string;
  vendor: string;
  device: string;
  files?: Record<string, string>;
}

describe('PCI display controllers from sysfs', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  function fakeSys(devices: FakeDevice[]): { sysRoot: string; pciIds: string } {
    const dir = tempDir();
    dirs.push(dir);
    const sysRoot = join(dir.path, 'sys');
    for (const d of devices) {
      const at = join(sysRoot, 'bus', 'pci', 'devices', d.address);
      mkdirSync(at, { recursive: true });
      for (const [name, text] of Object.entries({ class: d.cls, vendor: d.vendor, device: d.device, ...d.files })) writeFileSync(join(at, name), `${text}\n`);
    }
    mkdirSync(join(sysRoot, 'bus', 'pci', 'devices'), { recursive: true });
    const pciIds = join(dir.path, 'pci.ids');
    writeFileSync(pciIds, PCI_IDS);
    return { sysRoot, pciIds };
  }

  it('lists display controllers in PCI order with vendor, pci.ids name, AMD VRAM and bus id', async () => {
    const { sysRoot, pciIds } = fakeSys([
      { address: '0000:03:00.0', cls: '0x030000', vendor: '0x1002', device: '0x73bf', files: { mem_info_vram_total: String(16 * GIB), mem_info_vram_used: String(GIB) } },
      { address: '0000:00:02.0', cls: '0x030000', vendor: '0x8086', device: '0x3e92' },
      { address: '0000:00:1f.3', cls: '0x040300', vendor: '0x8086', device: '0xa348' }, // audio: not a GPU
      { address: '0000:41:00.0', cls: '0x030200', vendor: '0x10de', device: '0x2330' }, // 3D controller, name not in the file
      { address: '0000:00:05.0', cls: '0x038000', vendor: '0x1af4', device: '0x1050' },
    ]);
    const outcome = await detectPciGraphics({ sysRoot, pciIds: [join(sysRoot, 'absent.ids'), pciIds] });
    expect(outcome).toMatchObject({ source: 'os', answered: true, warnings: [] });
    expect(outcome!.gpus.map((g) => [g.pciBusId, g.vendor, g.name, g.vramTotalBytes, g.vramUsedBytes, g.vramFreeBytes, g.sources])).toEqual([
      ['00000000:00:02.0', 'intel', 'CoffeeLake-S GT2 [UHD Graphics 630]', null, null, null, ['os']],
      ['00000000:00:05.0', 'other', 'Virtio 1.0 GPU', null, null, null, ['os']],
      ['00000000:03:00.0', 'amd', 'Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]', 16 * GIB, GIB, 15 * GIB, ['os']],
      ['00000000:41:00.0', 'nvidia', 'PCI display controller 10de:2330', null, null, null, ['os']],
    ]);
  });

  it('names devices by id when no pci.ids is installed', async () => {
    const { sysRoot } = fakeSys([{ address: '0000:41:00.0', cls: '0x030200', vendor: '0x10de', device: '0x2330' }]);
    const outcome = await detectPciGraphics({ sysRoot, pciIds: [join(sysRoot, 'nowhere.ids')] });
    expect(outcome!.gpus.map((g) => [g.vendor, g.name])).toEqual([['nvidia', 'PCI display controller 10de:2330']]);
  });

  it('gives an empty list on a machine with no display controller, and null where there is no PCI bus', async () => {
    const { sysRoot, pciIds } = fakeSys([{ address: '0000:00:03.0', cls: '0x020000', vendor: '0x1af4', device: '0x1041' }]);
    expect(await detectPciGraphics({ sysRoot, pciIds: [pciIds] })).toEqual({ source: 'os', answered: true, gpus: [], warnings: [] });
    expect(await detectPciGraphics({ sysRoot: join(sysRoot, 'no-sysfs') })).toBeNull();
  });

  it('relies on the vendor order of pci.ids: a vendor passed is not looked for further down', async () => {
    const { pciIds } = fakeSys([]);
    // 10de is listed after 8086 in this excerpt (the real file sorts it before), so a scan that
    // ignored the order would find "wrong name".
    const names = await pciNames([pciIds], [{ vendorId: '1002', deviceId: '73bf' }]);
    expect([...names]).toEqual([['1002:73bf', 'Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]']]);
    expect(await pciNames([pciIds], [{ vendorId: '10de', deviceId: '2330' }])).toEqual(new Map());
  });
});

describe.runIf(process.platform === 'linux')('this machine', () => {
  it('lists the real sysfs display controllers without starting a process or a thread', async () => {
    const { value: outcome, started } = await startedDuring(() => detectPciGraphics());
    expect(started).toEqual([]);
    expect(outcome).toMatchObject({ source: 'os', answered: true, warnings: [] });
    for (const g of outcome!.gpus) {
      expect(['nvidia', 'amd', 'intel', 'apple', 'other']).toContain(g.vendor);
      expect(g.name.length).toBeGreaterThan(0);
      expect(g.pciBusId).toMatch(/^[0-9a-f]{8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/);
    }
  });
});
