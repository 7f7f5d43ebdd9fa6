// CPU and RAM on Linux straight from the kernel (/proc/cpuinfo, /proc/meminfo, sysfs CPU topology):
// a few file reads instead of systeminformation, which spawns `lscpu` (three times) and `dmidecode`
// through a shell — most of the time of a cold `llama-orch hardware`. Read (I/O) apart from parse (pure).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcCpu {
  /** `model name` of the first processor; null where the kernel does not print one (most ARM kernels). */
  brand: string | null;
  /** The `flags` (x86) or `Features` (ARM) line of the first processor, '' when absent. */
  flags: string;
  /** Distinct (physical id, core id) pairs; null when the kernel prints no topology (ARM, some VMs). */
  cores: number | null;
}

/** Each processor's block of /proc/cpuinfo as a field map (keys lower case, as the kernel spells them). */
function processorBlocks(text: string): Map<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((f) => f.has('processor'));
}

export function parseCpuinfo(text: string): ProcCpu {
  const blocks = processorBlocks(text);
  const first = blocks[0];
  const pairs = new Set<string>();
  for (const b of blocks) {
    const pkg = b.get('physical id');
    const core = b.get('core id');
    if (pkg !== undefined && core !== undefined) pairs.add(`${pkg}/${core}`);
  }
  // Topology only counts when every processor has it: a partial count would undercount cores.
  const complete = blocks.length > 0 && pairs.size > 0 && blocks.every((b) => b.has('physical id') && b.has('core id'));
  return {
    brand: first?.get('model name') || null,
    flags: first?.get('flags') ?? first?.get('features') ?? '',
    cores: complete ? pairs.size : null,
  };
}

export interface ProcMemory {
  totalBytes: number;
  /** MemAvailable; null on kernels before 3.14, which lack it (free + cache would be a guess). */
  availableBytes: number | null;
}

export function parseMeminfo(text: string): ProcMemory {
  const kib = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal');
  if (!totalBytes) throw new Error('/proc/meminfo has no MemTotal');
  return { totalBytes, availableBytes: kib('MemAvailable') };
}

/**
 * Physical cores from sysfs when /proc/cpuinfo has no topology (arm64 kernels print none): each
 * online CPU's `thread_siblings_list` names its core's hardware threads, so distinct lists = cores.
 * This is where lscpu (systeminformation's source) reads them too. Null when sysfs cannot say.
 */
export async function coresFromSysfs(sysRoot: string): Promise<number | null> {
  const dir = join(sysRoot, 'devices', 'system', 'cpu');
  try {
    const cpus = (await readdir(dir)).filter((n) => /^cpu\d+$/.test(n));
    const lists = await Promise.all(
      cpus.map((n) =>
        readFile(join(dir, n, 'topology', 'thread_siblings_list'), 'utf8').then(
          (t) => t.trim(),
          () => null,
        ),
      ),
    );
    const known = lists.filter((l): l is string => Boolean(l));
    return known.length > 0 ? new Set(known).size : null;
  } catch {
    return null;
  }
}

export interface LinuxRoots {
  /** Where procfs is mounted (default /proc); a test passes a temp dir with fixture files. */
  procRoot?: string;
  /** Where sysfs is mounted (default /sys). */
  sysRoot?: string;
}

/** Throws when /proc/cpuinfo cannot be read; the caller then asks systeminformation. */
export async function readLinuxCpu(roots: LinuxRoots = {}): Promise<ProcCpu> {
  const cpu = parseCpuinfo(await readFile(join(roots.procRoot ?? '/proc', 'cpuinfo'), 'utf8'));
  return cpu.cores !== null ? cpu : { ...cpu, cores: await coresFromSysfs(roots.sysRoot ?? '/sys') };
}

/** Throws when /proc/meminfo cannot be read or has no MemTotal. */
export async function readLinuxMemory(roots: LinuxRoots = {}): Promise<ProcMemory> {
  return parseMeminfo(await readFile(join(roots.procRoot ?? '/proc', 'meminfo'), 'utf8'));
}
