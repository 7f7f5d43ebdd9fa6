// Vulkan-capable devices through `vulkaninfo --summary`: which GPUs the Vulkan backend can use.
// The summary has no memory sizes, so a device seen only here has vramTotalBytes null.
import type { GpuVendor } from '../../contract/index.js';
import { runTool, type RunToolOptions } from './run-tool.js';
import { failedOutcome, type SourceOutcome } from './types.js';
import { text, ToolOutputError } from './units.js';

export interface VulkanDevice {
  /** Position in vulkaninfo's list (GPU0, GPU1, …). */
  ordinal: number;
  name: string;
  vendor: GpuVendor;
  /** PHYSICAL_DEVICE_TYPE_… without the prefix: DISCRETE_GPU, INTEGRATED_GPU, VIRTUAL_GPU, CPU, OTHER. */
  deviceType: string;
  driverName: string | null;
  driverInfo: string | null;
  apiVersion: string | null;
  deviceUuid: string | null;
}

const VENDOR_IDS: Record<string, GpuVendor> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel', '0x106b': 'apple' };

export function parseVulkaninfoSummary(raw: string): VulkanDevice[] {
  const out = raw.replace(/\r\n?/g, '\n');
  const at = out.search(/^Devices:\s*$/m);
  if (at < 0) throw new ToolOutputError('no "Devices:" section');
  const devices: VulkanDevice[] = [];
  // split() with a capture group: [before, ordinal0, body0, ordinal1, body1, …]
  const parts = out.slice(at).split(/^GPU(\d+):[ \t]*$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const ordinal = parts[i]!;
    const body = parts[i + 1] ?? '';
    const get = (k: string) => text(new RegExp(`^\\s*${k}\\s*=\\s*(.*)$`, 'm').exec(body)?.[1]);
    const name = get('deviceName');
    if (!name) throw new ToolOutputError(`GPU${ordinal} has no deviceName`);
    devices.push({
      ordinal: Number(ordinal),
      name,
      vendor: VENDOR_IDS[(get('vendorID') ?? '').toLowerCase()] ?? 'other',
      deviceType: (get('deviceType') ?? 'OTHER').replace(/^PHYSICAL_DEVICE_TYPE_/, ''),
      driverName: get('driverName'),
      driverInfo: get('driverInfo'),
      apiVersion: get('apiVersion'),
      deviceUuid: get('deviceUUID'),
    });
  }
  return devices;
}

/** Devices the Vulkan backend would place layers on (not CPU renderers like llvmpipe). */
export function isVulkanGpu(d: VulkanDevice): boolean {
  return d.deviceType === 'DISCRETE_GPU' || d.deviceType === 'INTEGRATED_GPU' || d.deviceType === 'VIRTUAL_GPU';
}

export async function detectVulkan(opts: RunToolOptions = {}): Promise<{ outcome: SourceOutcome; devices: VulkanDevice[] }> {
  const r = await runTool('vulkaninfo', ['--summary'], opts);
  if (!r.ok) return { outcome: failedOutcome('vulkaninfo-summary', r.reason), devices: [] };
  try {
    return { outcome: { source: 'vulkaninfo-summary', answered: true, gpus: [], warnings: [] }, devices: parseVulkaninfoSummary(r.stdout) };
  } catch (err) {
    return { outcome: failedOutcome('vulkaninfo-summary', `unreadable output: ${(err as Error).message}`), devices: [] };
  }
}
