// Internal shapes shared by the per-tool parsers and the merger.
import type { GpuInfo, HardwareSource, HardwareWarning } from '../../contract/index.js';

/** A GPU as one tool reports it; the merger assigns `index`. */
export type GpuFacts = Omit<GpuInfo, 'index'>;

/** What a pure parser returns: the GPUs, and remarks about the document (e.g. "says 4, lists 1"). */
export interface ParsedGpus {
  gpus: GpuFacts[];
  notes: string[];
}

/** One source after running: its GPUs (maybe none) and warnings (tool failed, odd output). */
export interface SourceOutcome {
  source: HardwareSource;
  /** True when the tool answered and its output parsed. */
  answered: boolean;
  gpus: GpuFacts[];
  warnings: HardwareWarning[];
}

export function emptyGpu(partial: Pick<GpuFacts, 'vendor' | 'name'> & Partial<GpuFacts>): GpuFacts {
  return {
    uuid: null,
    pciBusId: null,
    vramTotalBytes: null,
    vramFreeBytes: null,
    vramUsedBytes: null,
    unifiedMemory: false,
    driverVersion: null,
    cudaVersion: null,
    computeCapability: null,
    migEnabled: null,
    backends: [],
    sources: [],
    ...partial,
  };
}

/** Turn a parser's result (or its thrown error) into a SourceOutcome. */
export function outcomeFromParse(source: HardwareSource, parse: () => ParsedGpus): SourceOutcome {
  try {
    const parsed = parse();
    return { source, answered: true, gpus: parsed.gpus, warnings: parsed.notes.map((message) => ({ source, message })) };
  } catch (err) {
    return { source, answered: false, gpus: [], warnings: [{ source, message: `unreadable output: ${(err as Error).message}` }] };
  }
}

export function failedOutcome(source: HardwareSource, reason: string): SourceOutcome {
  return { source, answered: false, gpus: [], warnings: [{ source, message: reason }] };
}
