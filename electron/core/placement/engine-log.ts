// Reads what llama-server says it allocated (its stderr at log verbosity ≥ 4): model, KV, compute and
// output buffers per buffer type. Used to measure the estimator against the engine itself.
export type EngineBufferKind = 'model' | 'kv' | 'compute' | 'output';

export interface EngineBuffer {
  kind: EngineBufferKind;
  /** Buffer type as the engine names it: `CPU_Mapped`, `CPU_REPACK`, `CUDA0`, `CUDA_Host`, `MTL0`… */
  buffer: string;
  bytes: number;
}

const LINE = /\s(\S+)\s+(model|KV|compute|output) buffer size =\s*([\d.]+) MiB/;
const KIND: Record<string, EngineBufferKind> = { model: 'model', KV: 'kv', compute: 'compute', output: 'output' };

/** Every buffer line, in order. The engine prints MiB with two decimals (±5 KiB). */
export function parseEngineBuffers(log: string): EngineBuffer[] {
  const out: EngineBuffer[] = [];
  for (const line of log.split('\n')) {
    const m = LINE.exec(line);
    if (m) out.push({ kind: KIND[m[2]!]!, buffer: m[1]!, bytes: Math.round(Number(m[3]) * 1048576) });
  }
  return out;
}

/** Bytes per kind, summed over buffer types (a re-reserved compute buffer counts once: the last). */
export function engineTotals(log: string): Record<EngineBufferKind, number> {
  const totals: Record<EngineBufferKind, number> = { model: 0, kv: 0, compute: 0, output: 0 };
  const lastCompute = new Map<string, number>();
  for (const b of parseEngineBuffers(log)) {
    if (b.kind === 'compute') lastCompute.set(b.buffer, b.bytes);
    else totals[b.kind] += b.bytes;
  }
  for (const bytes of lastCompute.values()) totals.compute += bytes;
  return totals;
}
