// AMD (and ROCm-compatible) GPUs through rocm-smi's JSON, enriched with the gfx target from rocminfo.
import type { GpuVendor } from '../../contract/index.js';
import { runTool, type RunToolOptions } from './run-tool.js';
import { emptyGpu, failedOutcome, outcomeFromParse, type GpuFacts, type ParsedGpus, type SourceOutcome } from './types.js';
import { MIB, pciBusId, text, ToolOutputError } from './units.js';

export const rocmSmiArgs = ['--showproductname', '--showmeminfo', 'vram', '--showdriverversion', '--showbus', '--showuniqueid', '--json'];

/** rocm-smi spells keys differently across versions ("Card series"/"Card Series"): match case-insensitively. */
function field(card: Record<string, unknown>, ...names: string[]): string | null {
  for (const name of names) {
    const key = Object.keys(card).find((k) => k.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : card[key];
    if (typeof value === 'string' && text(value) !== null) return value.trim();
  }
  return null;
}

/** rocm-smi prints KFD's gfx_target_version as gfx<major><minor><stepping, 2 decimal digits>: gfx9010 → gfx90a. */
export function gfxTarget(value: string | null): string | null {
  if (!value) return null;
  const m = /^gfx(\d+)(\d)(\d\d)$/.exec(value);
  if (!m) return /^gfx[0-9a-f]+$/i.test(value) ? value.toLowerCase() : null;
  return `gfx${Number(m[1])}${m[2]}${Number(m[3]).toString(16)}`;
}

function vendorOf(cardVendor: string | null): GpuVendor {
  if (cardVendor === null || /^0x1002$|advanced micro devices|\bamd\b|\bati\b/i.test(cardVendor)) return 'amd';
  return 'other';
}

function bytes(card: Record<string, unknown>, what: 'Total' | 'Total Used'): number | null {
  const b = field(card, `VRAM ${what} Memory (B)`);
  if (b !== null && /^\d+$/.test(b)) return Number(b);
  const mib = field(card, `vram ${what} Memory (MiB)`); // Hygon's fork
  return mib !== null && /^\d+(\.\d+)?$/.test(mib) ? Math.round(Number(mib) * MIB) : null;
}

function productName(card: Record<string, unknown>, cardKey: string): string {
  // "Card series" is sometimes just the PCI vendor id (0x1002): not a name.
  const named = [field(card, 'Device Name'), field(card, 'Card Series'), field(card, 'Marketing Name')].find((n) => n !== null && !/^0x[0-9a-f]+$/i.test(n));
  if (named) return named;
  const id = field(card, 'Device ID', 'GPU ID');
  return id ? `AMD GPU (device ${id})` : `AMD GPU (${cardKey})`;
}

/** Parse `rocm-smi … --json`: one `cardN` object per GPU (dies of a multi-die card are separate cards). */
export function parseRocmSmiJson(json: string): ParsedGpus {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new ToolOutputError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ToolOutputError('expected a JSON object of cards');
  const root = doc as Record<string, unknown>;
  const system = (root.system ?? {}) as Record<string, unknown>;
  const driverVersion = field(system, 'Driver version');
  const cards = Object.keys(root)
    .filter((k) => /^card\d+$/.test(k))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const gpus = cards.map((key) => {
    const card = root[key] as Record<string, unknown>;
    const total = bytes(card, 'Total');
    const used = bytes(card, 'Total Used');
    const uid = field(card, 'Unique ID');
    return emptyGpu({
      vendor: vendorOf(field(card, 'Card Vendor')),
      name: productName(card, key),
      uuid: uid,
      pciBusId: pciBusId(field(card, 'PCI Bus')),
      vramTotalBytes: total,
      vramUsedBytes: used,
      vramFreeBytes: total !== null && used !== null ? total - used : null,
      driverVersion,
      computeCapability: gfxTarget(field(card, 'GFX Version')),
      backends: ['rocm'],
      sources: ['rocm-smi-json'],
    });
  });
  return { gpus, notes: [] };
}

export interface RocminfoAgent {
  name: string;
  marketingName: string | null;
  vendorName: string | null;
  uuid: string | null;
}

/** GPU agents of plain `rocminfo` (Device Type: GPU), with their gfx target as `name`. */
export function parseRocminfo(raw: string): RocminfoAgent[] {
  const textOut = raw.replace(/\r\n?/g, '\n');
  if (!/HSA Agents/.test(textOut)) throw new ToolOutputError('no "HSA Agents" section');
  const agents: RocminfoAgent[] = [];
  for (const block of textOut.split(/\*{3,}\s*\n\s*Agent \d+\s*\n\s*\*{3,}/).slice(1)) {
    const get = (k: string) => text(new RegExp(`^\\s*${k}:[ \\t]*(.*)$`, 'm').exec(block)?.[1]);
    // Hygon's fork calls its GPUs "DCU".
    if (!/^(GPU|DCU)$/.test(get('Device Type') ?? '')) continue;
    agents.push({ name: get('Name') ?? '', marketingName: get('Marketing Name'), vendorName: get('Vendor Name'), uuid: get('Uuid') });
  }
  return agents;
}

/** Add rocminfo's gfx target and marketing name to rocm-smi's GPUs (matched by unique id, else order). */
export function mergeRocminfo(gpus: GpuFacts[], agents: RocminfoAgent[]): GpuFacts[] {
  const key = (id: string | null) => (id ?? '').replace(/^GPU-/i, '').replace(/^0x/i, '').toLowerCase();
  return gpus.map((g, i) => {
    const a = agents.find((x) => g.uuid !== null && key(x.uuid) === key(g.uuid)) ?? (agents.length === gpus.length ? agents[i] : undefined);
    if (!a) return g;
    return {
      ...g,
      // rocminfo's marketing name is the exact SKU; rocm-smi's card series is a pci.ids family name.
      name: a.marketingName ?? g.name,
      computeCapability: /^gfx/.test(a.name) ? a.name : g.computeCapability,
      sources: [...g.sources, 'rocminfo-text'],
    };
  });
}

export async function detectAmd(opts: RunToolOptions = {}): Promise<SourceOutcome[]> {
  const [smi, info] = await Promise.all([runTool('rocm-smi', rocmSmiArgs, opts), runTool('rocminfo', [], opts)]);
  const out = smi.ok ? outcomeFromParse('rocm-smi-json', () => parseRocmSmiJson(smi.stdout)) : failedOutcome('rocm-smi-json', smi.reason);
  if (!out.answered) return [out];
  let agents: RocminfoAgent[] = [];
  const infoOutcome = info.ok ? outcomeFromParse('rocminfo-text', () => ((agents = parseRocminfo(info.stdout)), { gpus: [], notes: [] })) : failedOutcome('rocminfo-text', info.reason);
  return [{ ...out, gpus: mergeRocminfo(out.gpus, agents) }, infoOutcome];
}
