// CPU and RAM of this machine (systeminformation, falling back to node:os), and the generic GPU list
// of systeminformation as a last resort when no vendor tool answered.
import { createRequire } from 'node:module';
import os from 'node:os';
import si from 'systeminformation';
import type { CpuInfo, GpuVendor, MemoryInfo } from '../../contract/index.js';
import { runTool } from './run-tool.js';
import { emptyGpu, failedOutcome, type GpuFacts, type SourceOutcome } from './types.js';
import { MIB, pciBusId } from './units.js';

/**
 * Instruction-set flags from a flags string (/proc/cpuinfo style); null when the source cannot say.
 * Only Linux lists every flag. On Windows systeminformation reads just the CPUID leaf-1 EDX bits
 * (no AVX bit among them), and on macOS `machdep.cpu.features` (leaf 1: `AVX1.0`, but AVX2 and
 * AVX-512 live in the leaf-7 list it does not read): an absent flag there is unknown, not false.
 */
export function cpuFlagsFrom(flags: string, arch: string, platform: NodeJS.Platform = process.platform): Pick<CpuInfo, 'avx' | 'avx2' | 'avx512' | 'neon'> {
  const set = new Set(flags.toLowerCase().split(/\s+/).filter(Boolean));
  const arm = arch === 'arm64' || arch === 'arm';
  // ARMv8-A (arm64) mandates Advanced SIMD, so NEON is a fact of the architecture there.
  const neon = arch === 'arm64' ? true : arm ? (set.size ? set.has('neon') || set.has('asimd') : null) : false;
  if (arm) return { avx: false, avx2: false, avx512: false, neon };
  if (set.size === 0) return { avx: null, avx2: null, avx512: null, neon };
  const listed = (has: boolean, complete: boolean) => (has ? true : complete ? false : null);
  const linux = platform !== 'win32' && platform !== 'darwin';
  return {
    avx: listed(set.has('avx') || set.has('avx1.0'), linux || platform === 'darwin'),
    avx2: listed(set.has('avx2'), linux),
    avx512: listed(set.has('avx512f'), linux),
    neon,
  };
}

export async function detectCpu(): Promise<{ cpu: CpuInfo; source: 'systeminformation' | 'os'; warning: string | null }> {
  const arch = process.arch;
  const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const brand = os.cpus()[0]?.model.trim() || null;
  try {
    const [info, flags] = await Promise.all([si.cpu(), si.cpuFlags()]);
    return {
      cpu: { brand: brand ?? (`${info.manufacturer} ${info.brand}`.trim() || null), arch, cores: info.physicalCores || null, threads, ...cpuFlagsFrom(flags, arch) },
      source: 'systeminformation',
      warning: null,
    };
  } catch (err) {
    return { cpu: { brand, arch, cores: null, threads, ...cpuFlagsFrom('', arch) }, source: 'os', warning: `systeminformation cpu(): ${(err as Error).message}` };
  }
}

export async function detectMemory(): Promise<{ memory: MemoryInfo; source: 'systeminformation' | 'os'; warning: string | null }> {
  try {
    const m = await si.mem();
    return { memory: { totalBytes: m.total || os.totalmem(), availableBytes: m.available || null }, source: 'systeminformation', warning: null };
  } catch (err) {
    // os.freemem() excludes reclaimable cache, so it is not "available": leave that unknown.
    return { memory: { totalBytes: os.totalmem(), availableBytes: null }, source: 'os', warning: `systeminformation mem(): ${(err as Error).message}` };
  }
}

interface SiController {
  vendor?: string;
  model?: string;
  vram?: number | null;
  vramDynamic?: boolean;
  pciBus?: string;
  busAddress?: string;
  driverVersion?: string;
}

function vendorOf(v: string): GpuVendor {
  if (/nvidia/i.test(v)) return 'nvidia';
  if (/amd|advanced micro|ati\b/i.test(v)) return 'amd';
  if (/intel/i.test(v)) return 'intel';
  if (/apple/i.test(v)) return 'apple';
  return 'other';
}

export function gpusFromSystemInformation(controllers: SiController[]): GpuFacts[] {
  return controllers
    .filter((c) => c.model || c.vendor)
    .map((c) =>
      emptyGpu({
        vendor: vendorOf(`${c.vendor ?? ''} ${c.model ?? ''}`),
        name: (c.model || c.vendor || 'GPU').trim(),
        pciBusId: pciBusId(c.pciBus ?? c.busAddress),
        vramTotalBytes: typeof c.vram === 'number' && c.vram > 0 && !c.vramDynamic ? c.vram * MIB : null,
        unifiedMemory: c.vramDynamic === true,
        driverVersion: c.driverVersion || null,
        sources: ['systeminformation'],
      }),
    );
}

/**
 * systeminformation's graphics() runs helper tools synchronously without a timeout (a hung nvidia-smi
 * would freeze the app), so it runs in a child Node process that can be killed.
 */
export async function detectSystemGraphics(timeoutMs: number): Promise<SourceOutcome> {
  const siPath = createRequire(import.meta.url).resolve('systeminformation');
  const script = `require(${JSON.stringify(siPath)}).graphics().then((g) => process.stdout.write(JSON.stringify(g.controllers)))`;
  const r = await runTool(process.execPath, ['-e', script], { timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (!r.ok) return failedOutcome('systeminformation', `graphics(): ${r.reason}`);
  try {
    return { source: 'systeminformation', answered: true, gpus: gpusFromSystemInformation(JSON.parse(r.stdout) as SiController[]), warnings: [] };
  } catch (err) {
    return failedOutcome('systeminformation', `graphics() printed unreadable output: ${(err as Error).message}`);
  }
}
