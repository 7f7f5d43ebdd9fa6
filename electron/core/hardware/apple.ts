// Apple GPUs through `system_profiler SPDisplaysDataType -json`. Apple silicon GPUs share the system
// RAM (unified memory): their size is reported as the machine's RAM, flagged `unifiedMemory`.
import type { GpuVendor } from '../../contract/index.js';
import { runTool, type RunToolOptions } from './run-tool.js';
import { emptyGpu, failedOutcome, outcomeFromParse, type ParsedGpus, type SourceOutcome } from './types.js';
import { sizeToBytes, text, ToolOutputError } from './units.js';

export const systemProfilerArgs = ['SPDisplaysDataType', '-json', '-detailLevel', 'mini'];

function vendorOf(raw: string | null, model: string): GpuVendor {
  const v = `${raw ?? ''} ${model}`.toLowerCase();
  if (/apple/.test(v)) return 'apple';
  if (/amd|ati|radeon/.test(v)) return 'amd';
  if (/nvidia|geforce/.test(v)) return 'nvidia';
  if (/intel/.test(v)) return 'intel';
  return 'other';
}

/**
 * Parse the JSON. `systemMemoryBytes` is the machine's RAM, used as the size of a unified-memory GPU
 * (null when the caller does not know it, e.g. in support mode without a RAM figure).
 */
export function parseSystemProfilerJson(json: string, systemMemoryBytes: number | null = null): ParsedGpus {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new ToolOutputError(`not JSON: ${(err as Error).message}`);
  }
  const items = (doc as { SPDisplaysDataType?: unknown } | null)?.SPDisplaysDataType;
  if (!Array.isArray(items)) throw new ToolOutputError('no SPDisplaysDataType array');
  const gpus = items
    .filter((it): it is Record<string, unknown> => typeof it === 'object' && it !== null)
    .filter((it) => it.sppci_device_type === undefined || it.sppci_device_type === 'spdisplays_gpu')
    .map((it) => {
      const str = (k: string) => (typeof it[k] === 'string' ? text(it[k] as string) : null);
      const name = str('sppci_model') ?? str('_name') ?? 'GPU';
      const vendor = vendorOf(str('spdisplays_vendor'), name);
      const builtIn = str('sppci_bus') === 'spdisplays_builtin';
      const unified = vendor === 'apple' && builtIn;
      // Discrete GPUs on Intel Macs report "spdisplays_vram": "8 GB" (or _shared for integrated ones).
      const vram = sizeToBytes(str('spdisplays_vram') ?? str('spdisplays_vram_shared'));
      const metal = Object.keys(it).some((k) => /metal/i.test(k)) || unified;
      return emptyGpu({
        vendor,
        name,
        vramTotalBytes: unified ? systemMemoryBytes : vram,
        unifiedMemory: unified,
        backends: metal ? ['metal'] : [],
        sources: ['system-profiler-json'],
      });
    });
  return { gpus, notes: [] };
}

export async function detectApple(systemMemoryBytes: number | null, opts: RunToolOptions = {}): Promise<SourceOutcome[]> {
  const r = await runTool('system_profiler', systemProfilerArgs, opts);
  return [r.ok ? outcomeFromParse('system-profiler-json', () => parseSystemProfilerJson(r.stdout, systemMemoryBytes)) : failedOutcome('system-profiler-json', r.reason)];
}
