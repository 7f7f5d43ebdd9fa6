// NVIDIA GPUs through nvidia-smi: the XML report (memory, PCI bus id, driver, CUDA version, MIG) and the
// CSV query (compute capability; also the cheap path for live memory polling).
import { existsSync } from 'node:fs';
import { win32 } from 'node:path';
import type { GpuLiveSample } from '../../contract/index.js';
import { runTool, type RunToolOptions } from './run-tool.js';
import { emptyGpu, failedOutcome, outcomeFromParse, type GpuFacts, type ParsedGpus, type SourceOutcome } from './types.js';
import { mibToBytes, num, pciBusId, text, ToolOutputError } from './units.js';
import { child, parseXml, textAt } from './xml.js';

export const NVIDIA_CSV_FIELDS = ['index', 'uuid', 'name', 'pci.bus_id', 'memory.total', 'memory.used', 'memory.free', 'driver_version', 'compute_cap'] as const;
// power.draw: the board's draw in watts (the energy figures of the operations report); [N/A] where
// the GPU does not report it (some consumer boards, MIG instances), which stays null.
export const NVIDIA_LIVE_FIELDS = ['index', 'uuid', 'memory.total', 'memory.used', 'memory.free', 'utilization.gpu', 'temperature.gpu', 'power.draw'] as const;

export const nvidiaSmiXmlArgs = ['-q', '-x'];
export const nvidiaSmiCsvArgs = (fields: readonly string[]) => [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];

/** The leading version number of a value (`13.3 [Deprecated; …]` → `13.3`); null when there is none. */
export function versionOf(value: string | null | undefined): string | null {
  return /^\s*(\d+(?:\.\d+)+)/.exec(text(value) ?? '')?.[1] ?? null;
}

/** Driver and CUDA version from `nvidia-smi --version` or the header of `nvidia-smi -q` (text). */
export function parseNvidiaSmiVersionText(out: string): { driverVersion: string | null; cudaVersion: string | null } {
  const get = (key: string) => versionOf(new RegExp(`^${key}\\s*:\\s*(.*)$`, 'im').exec(out)?.[1]);
  return { driverVersion: get('KMD version') ?? get('DRIVER version'), cudaVersion: get('CUDA UMD version') ?? get('CUDA version') };
}

/** Parse `nvidia-smi -q -x`. */
export function parseNvidiaSmiXml(xml: string): ParsedGpus {
  const doc = parseXml(xml);
  if (doc.name !== 'nvidia_smi_log') throw new ToolOutputError(`expected an <nvidia_smi_log> document, got <${doc.name}>`);
  // Drivers ≥ 610 deprecate driver_version/cuda_version ("610.62 [Deprecated; …]") in favour of
  // kmd_version/cuda_umd_version: prefer the new names, and keep only the version number.
  const driverVersion = versionOf(textAt(doc, 'kmd_version')) ?? versionOf(textAt(doc, 'driver_version'));
  const cudaVersion = versionOf(textAt(doc, 'cuda_umd_version')) ?? versionOf(textAt(doc, 'cuda_version'));
  const notes: string[] = [];
  const gpus = doc.children
    .filter((c) => c.name === 'gpu')
    .map((g): GpuFacts => {
      const mig = text(textAt(g, 'mig_mode', 'current_mig'));
      const migEnabled = mig === null ? null : /^enabled$/i.test(mig);
      const name = text(textAt(g, 'product_name')) ?? 'NVIDIA GPU';
      if (migEnabled) {
        const instances = child(g, 'mig_devices')?.children.filter((c) => c.name === 'mig_device').length ?? 0;
        notes.push(`${name}: MIG is enabled (${instances} instance${instances === 1 ? '' : 's'}); CUDA sees the MIG instances, not the whole GPU`);
      }
      return emptyGpu({
        vendor: 'nvidia',
        name,
        uuid: text(textAt(g, 'uuid')),
        pciBusId: pciBusId(textAt(g, 'pci', 'pci_bus_id') ?? g.attrs.id),
        vramTotalBytes: mibToBytes(textAt(g, 'fb_memory_usage', 'total')),
        vramUsedBytes: mibToBytes(textAt(g, 'fb_memory_usage', 'used')),
        vramFreeBytes: mibToBytes(textAt(g, 'fb_memory_usage', 'free')),
        driverVersion,
        cudaVersion,
        migEnabled,
        backends: ['cuda'],
        sources: ['nvidia-smi-xml'],
      });
    });
  const attached = num(textAt(doc, 'attached_gpus'));
  if (attached !== null && attached !== gpus.length) notes.push(`nvidia-smi reports ${attached} attached GPUs but lists ${gpus.length}; only the listed GPUs are used`);
  return { gpus, notes };
}

/**
 * Rows of `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]` as field → value. With a header
 * the columns are named by it (units like ` [MiB]` stripped); without one they must be `fields`.
 */
export function parseNvidiaSmiCsvRows(csv: string, fields: readonly string[] = NVIDIA_CSV_FIELDS): Record<string, string>[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  let names: string[] = [...fields];
  const header = lines[0]?.split(',').map((h) => h.trim().replace(/\s*\[[^\]]*\]$/, ''));
  if (header && header.every((h) => /^[a-z_][a-z_0-9]*(\.[a-z_0-9]+)*$/i.test(h)) && header.some((h) => h === 'index' || h === 'uuid' || h === 'name')) {
    names = header;
    lines.shift();
  }
  return lines.map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== names.length) throw new ToolOutputError(`CSV line ${i + 1} has ${cells.length} columns, expected ${names.length} (${names.join(', ')})`);
    const row: Record<string, string> = {};
    names.forEach((n, j) => (row[n] = cells[j]!));
    if (row.index !== undefined && !/^\d+$/.test(row.index)) throw new ToolOutputError(`CSV line ${i + 1}: index '${row.index}' is not a number`);
    return row;
  });
}

/** Parse the CSV query into GPUs (fields it lacks stay null). */
export function parseNvidiaSmiCsv(csv: string, fields: readonly string[] = NVIDIA_CSV_FIELDS): ParsedGpus {
  const rows = parseNvidiaSmiCsvRows(csv, fields);
  if (rows.length > 0 && rows[0]!.name === undefined) throw new ToolOutputError('CSV has no name column');
  const gpus = rows.map((r) =>
    emptyGpu({
      vendor: 'nvidia',
      name: text(r.name) ?? 'NVIDIA GPU',
      uuid: text(r.uuid),
      pciBusId: pciBusId(r['pci.bus_id']),
      vramTotalBytes: mibToBytes(r['memory.total']),
      vramUsedBytes: mibToBytes(r['memory.used']),
      vramFreeBytes: mibToBytes(r['memory.free']),
      driverVersion: versionOf(r.driver_version),
      computeCapability: text(r.compute_cap),
      migEnabled: r['mig.mode.current'] === undefined || text(r['mig.mode.current']) === null ? null : /^enabled$/i.test(r['mig.mode.current']),
      backends: ['cuda'],
      sources: ['nvidia-smi-csv'],
    }),
  );
  return { gpus, notes: [] };
}

/** Parse the live polling query (NVIDIA_LIVE_FIELDS). */
export function parseNvidiaSmiLive(csv: string): GpuLiveSample[] {
  return parseNvidiaSmiCsvRows(csv, NVIDIA_LIVE_FIELDS).map((r) => ({
    index: Number(r.index),
    uuid: text(r.uuid),
    vramTotalBytes: mibToBytes(r['memory.total']),
    vramUsedBytes: mibToBytes(r['memory.used']),
    vramFreeBytes: mibToBytes(r['memory.free']),
    utilizationPercent: num(r['utilization.gpu']),
    temperatureC: num(r['temperature.gpu']),
    powerWatts: num(r['power.draw']),
  }));
}

/** Fill the XML's GPUs with what only the CSV knows (compute capability), matched by UUID or bus id. */
export function mergeNvidia(xml: GpuFacts[], csv: GpuFacts[]): GpuFacts[] {
  if (xml.length === 0) return csv;
  // Bus id first: UUIDs can repeat in masked/support captures; a UUID is only trusted when unique.
  const uniqueUuid = (u: string | null) => u !== null && csv.filter((x) => x.uuid === u).length === 1;
  return xml.map((g, i) => {
    const c =
      (g.pciBusId ? csv.find((x) => x.pciBusId === g.pciBusId) : undefined) ??
      (uniqueUuid(g.uuid) ? csv.find((x) => x.uuid === g.uuid) : undefined) ??
      (csv.length === xml.length ? csv[i] : undefined);
    if (!c) return g;
    return { ...g, computeCapability: g.computeCapability ?? c.computeCapability, driverVersion: g.driverVersion ?? c.driverVersion, sources: [...g.sources, ...c.sources] };
  });
}

/**
 * nvidia-smi from PATH, except on Windows where drivers before R418 (and some OEM installs) put it
 * under `%ProgramFiles%\NVIDIA Corporation\NVSMI`, which is not on PATH; newer ones use System32.
 */
export function nvidiaSmiBinary(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string {
  if (platform !== 'win32') return 'nvidia-smi';
  const candidates = [
    env.SystemRoot ? win32.join(env.SystemRoot, 'System32', 'nvidia-smi.exe') : null,
    win32.join(env.ProgramW6432 || env.ProgramFiles || 'C:\\Program Files', 'NVIDIA Corporation', 'NVSMI', 'nvidia-smi.exe'),
  ];
  return candidates.find((c): c is string => c !== null && exists(c)) ?? 'nvidia-smi';
}

/** Run both nvidia-smi queries (in parallel) and merge them. */
export async function detectNvidia(opts: RunToolOptions = {}): Promise<SourceOutcome[]> {
  const bin = nvidiaSmiBinary();
  const [xmlRun, csvRun] = await Promise.all([runTool(bin, nvidiaSmiXmlArgs, opts), runTool(bin, nvidiaSmiCsvArgs(NVIDIA_CSV_FIELDS), opts)]);
  const xml = xmlRun.ok ? outcomeFromParse('nvidia-smi-xml', () => parseNvidiaSmiXml(xmlRun.stdout)) : failedOutcome('nvidia-smi-xml', xmlRun.reason);
  const csv = csvRun.ok ? outcomeFromParse('nvidia-smi-csv', () => parseNvidiaSmiCsv(csvRun.stdout)) : failedOutcome('nvidia-smi-csv', csvRun.reason);
  // A missing nvidia-smi is one fact, not two warnings.
  if (!xmlRun.ok && !csvRun.ok && xmlRun.reason === csvRun.reason) csv.warnings = [];
  return [
    { ...xml, gpus: mergeNvidia(xml.gpus, csv.gpus) },
    { ...csv, gpus: [] },
  ];
}
