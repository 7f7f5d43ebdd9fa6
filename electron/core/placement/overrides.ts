// Overrides → the knobs the planner works with. What the engine would refuse (a quantized V cache
// without flash attention, head sizes a quantized cache cannot hold) is refused here, before anything
// starts; what merely may not fit is left to the planner, which refuses it with numbers unless forced.
import { KV_CACHE_TYPES, type EstimatorInput, type KvCacheType, type PlacementOverrides, type PlacementSettings, type SplitMode, type WorkersPolicy } from '../../contract/placement.js';
import { isQuantizedKv, kvBlockSize } from './ggml-types.js';
import type { Knobs } from './layout.js';

export interface Resolved {
  knobs: Knobs;
  /** The user chose the context: the planner must not lower it. */
  fixedContext: boolean;
  cpuOnly: boolean;
  /** Engine device names the user restricted the plan to. */
  devices: string[] | null;
  nGpuLayers: number | null;
  tensorSplit: number[] | null;
  splitMode: SplitMode;
  mainGpu: number;
  force: boolean;
  /** RPC workers: only when needed (auto), never, or always. */
  workers: WorkersPolicy;
  /** At most this much system RAM here (bytes); null = what is available. */
  localRamLimitBytes: number | null;
  warnings: string[];
}

type Out = { ok: true; value: Resolved } | { ok: false; error: string };

const isInt = (n: unknown, min: number, max = Number.MAX_SAFE_INTEGER): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
const pad256 = (n: number) => Math.ceil(n / 256) * 256;

function cacheTypeError(m: EstimatorInput, which: 'K' | 'V', type: KvCacheType): string | null {
  if (!KV_CACHE_TYPES.includes(type)) return `cacheType${which} '${type}' is not one of ${KV_CACHE_TYPES.join(', ')}`;
  const dim = which === 'K' ? m.headDimK : m.headDimV;
  const block = kvBlockSize(type);
  if (dim % block !== 0) return `cacheType${which} ${type} stores blocks of ${block} values, but this model's ${which} head size is ${dim}; use f16 or bf16`;
  return null;
}

export function resolveOverrides(input: { model: EstimatorInput; overrides?: PlacementOverrides }, settings: PlacementSettings): Out {
  const m = input.model;
  const o = input.overrides ?? {};
  const n = m.layers.length;
  const warnings: string[] = [];
  const fail = (error: string): Out => ({ ok: false, error });

  if (o.contextSize !== undefined && !isInt(o.contextSize, 256)) return fail(`contextSize must be an integer of at least 256 tokens, got ${String(o.contextSize)}`);
  if (o.parallel !== undefined && !isInt(o.parallel, 1, 256)) return fail(`parallel must be an integer from 1 to 256, got ${String(o.parallel)}`);
  if (o.nGpuLayers !== undefined && !isInt(o.nGpuLayers, 0)) return fail(`nGpuLayers must be a whole number of layers (0 or more), got ${String(o.nGpuLayers)}`);
  if (
    o.tensorSplit !== undefined &&
    (!Array.isArray(o.tensorSplit) || o.tensorSplit.length === 0 || o.tensorSplit.some((x) => typeof x !== 'number' || !(x >= 0)) || o.tensorSplit.every((x) => x === 0))
  ) {
    return fail('tensorSplit must be a list of shares (numbers ≥ 0, not all 0), one per device');
  }
  if (o.mainGpu !== undefined && !isInt(o.mainGpu, 0)) return fail(`mainGpu must be a device position (0 or more), got ${String(o.mainGpu)}`);
  if (o.splitMode !== undefined && !['none', 'layer', 'row'].includes(o.splitMode)) return fail(`splitMode must be none, layer or row, got '${String(o.splitMode)}'`);
  if (o.flashAttention !== undefined && !['on', 'off', 'auto'].includes(o.flashAttention)) return fail(`flashAttention must be on, off or auto, got '${String(o.flashAttention)}'`);
  if (o.workers !== undefined && !['auto', 'never', 'always'].includes(o.workers)) return fail(`workers must be auto, never or always, got '${String(o.workers)}'`);
  if (o.localRamLimitMiB !== undefined && !isInt(o.localRamLimitMiB, 1)) return fail(`localRamLimitMiB must be a whole number of MiB (1 or more), got ${String(o.localRamLimitMiB)}`);

  const devices = o.devices?.map((d) => d.trim()).filter(Boolean) ?? null;
  const cpuWord = (d: string) => ['cpu', 'none'].includes(d.toLowerCase());
  if (devices && devices.length === 0) return fail('devices is empty: name engine devices (CUDA0, CUDA1, …) or cpu');
  if (devices?.some(cpuWord) && devices.length > 1) return fail(`devices: cpu cannot be combined with GPUs (got ${devices.join(',')}); use nGpuLayers for partial offload`);
  const cpuOnly = devices?.some(cpuWord) === true || o.nGpuLayers === 0;

  const flashAttention = o.flashAttention === 'off' ? 'off' : 'on';
  const cacheTypeK = o.cacheTypeK ?? 'f16';
  const cacheTypeV = o.cacheTypeV ?? 'f16';
  const cacheError = cacheTypeError(m, 'K', cacheTypeK) ?? cacheTypeError(m, 'V', cacheTypeV);
  if (cacheError) return fail(cacheError);
  if (isQuantizedKv(cacheTypeV) && flashAttention === 'off') return fail(`cacheTypeV ${cacheTypeV} needs flash attention; set flashAttention on or use an f16 V cache`);

  const contextSize = pad256(o.contextSize ?? Math.min(settings.defaultContextSize, m.contextLength));
  if (o.contextSize !== undefined && o.contextSize > m.contextLength) {
    if (!o.force) return fail(`contextSize ${o.contextSize} is larger than the ${m.contextLength} tokens the model was trained for; use force to try anyway`);
    warnings.push(`forced: context ${o.contextSize} is beyond the model's trained ${m.contextLength} tokens`);
  }
  if (o.contextSize !== undefined && contextSize !== o.contextSize) warnings.push(`context rounded up from ${o.contextSize} to ${contextSize} tokens (the engine allocates in steps of 256)`);
  if (o.splitMode === 'row') warnings.push('row split is estimated like layer split; its real memory use per GPU may differ');

  return {
    ok: true,
    value: {
      knobs: { contextSize, parallel: o.parallel ?? settings.defaultParallel, cacheTypeK, cacheTypeV, flashAttention },
      fixedContext: o.contextSize !== undefined,
      cpuOnly,
      devices: cpuOnly ? null : devices,
      // A split, split mode or main GPU the user chose fixes the layout: all layers, placed as asked.
      nGpuLayers: cpuOnly ? null : o.nGpuLayers !== undefined ? Math.min(o.nGpuLayers, n + 1) : o.tensorSplit || o.splitMode || o.mainGpu !== undefined ? n + 1 : null,
      tensorSplit: o.tensorSplit ?? null,
      splitMode: o.splitMode ?? 'layer',
      mainGpu: o.mainGpu ?? 0,
      force: o.force === true,
      workers: o.workers ?? 'auto',
      localRamLimitBytes: o.localRamLimitMiB !== undefined ? o.localRamLimitMiB * 1024 * 1024 : null,
      warnings,
    },
  };
}
