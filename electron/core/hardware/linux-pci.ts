// The last-resort GPU list on Linux: PCI display controllers read from sysfs, named from the pci.ids
// database when one is installed. It replaces systeminformation's graphics() there, which runs
// `lspci -vvv`, `clinfo`, `xdpyinfo` and `xrandr` through a shell (and needs a worker thread to bound
// them): the kernel already knows every display controller, so no process is started at all.
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuVendor } from '../../contract/index.js';
import { emptyGpu, failedOutcome, type GpuFacts, type SourceOutcome } from './types.js';
import { pciBusId } from './units.js';

export const PCI_IDS_PATHS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'];

const VENDORS: Record<string, GpuVendor> = { '10de': 'nvidia', '1002': 'amd', '8086': 'intel', '106b': 'apple' };

export interface PciOptions {
  /** Where sysfs is mounted (default /sys); a test passes a temp dir holding a fake tree. */
  sysRoot?: string;
  /** pci.ids files to try, in order (default: the Debian and the Fedora/Arch locations). */
  pciIds?: string[];
}

interface PciDisplay {
  address: string;
  vendorId: string;
  deviceId: string;
  vramTotalBytes: number | null;
  vramUsedBytes: number | null;
}

const read = (path: string): Promise<string | null> =>
  readFile(path, 'utf8').then(
    (t) => t.trim(),
    () => null,
  );
const hexId = (v: string | null | undefined): string | null => (v && /^0x[0-9a-f]{4}$/i.test(v) ? v.slice(2).toLowerCase() : null);
const bytes = (v: string | null | undefined): number | null => (v && /^\d+$/.test(v) ? Number(v) : null);

/** One device directory, or null when it is not a display controller (PCI class 0x03xxxx). */
async function readDevice(dir: string, address: string): Promise<PciDisplay | null> {
  const cls = await read(join(dir, 'class'));
  if (!cls || !/^0x03/i.test(cls)) return null;
  const [vendor, device, vramTotal, vramUsed] = await Promise.all(['vendor', 'device', 'mem_info_vram_total', 'mem_info_vram_used'].map((f) => read(join(dir, f))));
  const vendorId = hexId(vendor);
  const deviceId = hexId(device);
  if (!vendorId || !deviceId) return null;
  // amdgpu publishes its VRAM size and use here; other drivers do not, and then it stays unknown.
  return { address, vendorId, deviceId, vramTotalBytes: bytes(vramTotal), vramUsedBytes: bytes(vramUsed) };
}

/**
 * Device names for `vendor:device` pairs from the first pci.ids file that can be read. The file is
 * ~1.5 MB sorted by vendor id, so it is read in chunks and the read stops at the first vendor above
 * every vendor asked for. No file (a minimal install) is no names, not an error.
 */
export async function pciNames(paths: string[], ids: { vendorId: string; deviceId: string }[]): Promise<Map<string, string>> {
  for (const path of paths) {
    try {
      return await scanPciIds(path, ids);
    } catch {
      // Missing or unreadable: try the next location.
    }
  }
  return new Map();
}

async function scanPciIds(path: string, ids: { vendorId: string; deviceId: string }[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = new Set(ids.map((i) => `${i.vendorId}:${i.deviceId}`));
  const vendorsLeft = new Set(ids.map((i) => i.vendorId));
  let vendor = '';
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (/^[0-9a-f]{4} {2}/.test(line)) {
        vendor = line.slice(0, 4);
        // Sorted by id: a vendor below this one has been passed (its devices found, or it is not listed).
        for (const v of vendorsLeft) if (v < vendor) vendorsLeft.delete(v);
        // Returning ends the loop, which destroys the stream and so closes the file.
        if (vendorsLeft.size === 0) return names;
      } else if (vendorsLeft.has(vendor) && /^\t[0-9a-f]{4} {2}/.test(line)) {
        const key = `${vendor}:${line.slice(1, 5)}`;
        if (wanted.has(key)) names.set(key, line.slice(7).trim());
      }
    }
  }
  return names;
}

function gpuFrom(d: PciDisplay, names: Map<string, string>): GpuFacts {
  const vramFree = d.vramTotalBytes !== null && d.vramUsedBytes !== null ? d.vramTotalBytes - d.vramUsedBytes : null;
  return emptyGpu({
    vendor: VENDORS[d.vendorId] ?? 'other',
    name: names.get(`${d.vendorId}:${d.deviceId}`) ?? `PCI display controller ${d.vendorId}:${d.deviceId}`,
    pciBusId: pciBusId(d.address),
    vramTotalBytes: d.vramTotalBytes,
    vramUsedBytes: d.vramTotalBytes !== null ? d.vramUsedBytes : null,
    vramFreeBytes: vramFree,
    sources: ['os'],
  });
}

/**
 * The display controllers under `<sysRoot>/bus/pci/devices`, in PCI address order. Answers `null`
 * when that folder cannot be read (no sysfs, no PCI bus): the caller then has no fast answer.
 */
export async function detectPciGraphics(opts: PciOptions = {}): Promise<SourceOutcome | null> {
  const root = join(opts.sysRoot ?? '/sys', 'bus', 'pci', 'devices');
  const addresses = await readdir(root).catch(() => null);
  if (!addresses) return null;
  try {
    const found = await Promise.all(addresses.sort().map((a) => readDevice(join(root, a), a)));
    const displays = found.filter((d): d is PciDisplay => d !== null);
    const names = displays.length > 0 ? await pciNames(opts.pciIds ?? PCI_IDS_PATHS, displays) : new Map<string, string>();
    return { source: 'os', answered: true, gpus: displays.map((d) => gpuFrom(d, names)), warnings: [] };
  } catch (err) {
    return failedOutcome('os', `PCI display controllers from sysfs: ${(err as Error).message}`);
  }
}
