// Hardware detection: runs the tools that fit the platform (in parallel, each with a timeout), or reads
// saved tool output (support mode), and builds one HardwareSnapshot. Never throws for a tool's sake.
import type { HardwareSnapshot, HardwareTool } from '../../contract/index.js';
import { detectAmd, mergeRocminfo, parseRocminfo, parseRocmSmiJson, type RocminfoAgent } from './amd.js';
import { detectApple, parseSystemProfilerJson } from './apple.js';
import { detectPciGraphics } from './linux-pci.js';
import { buildSnapshot } from './merge.js';
import { detectNvidia, mergeNvidia, parseNvidiaSmiCsv, parseNvidiaSmiXml } from './nvidia.js';
import { DEFAULT_TOOL_TIMEOUT_MS } from './run-tool.js';
import { detectCpu, detectMemory, detectSystemGraphics } from './system.js';
import { outcomeFromParse, type SourceOutcome } from './types.js';
import { visibilityFromEnv, visibilityWarnings, type VisibilityEnv } from './visibility.js';
import { detectVulkan, parseVulkaninfoSummary, type VulkanDevice } from './vulkan.js';

export const HARDWARE_TOOLS: readonly HardwareTool[] = ['nvidia-smi-xml', 'nvidia-smi-csv', 'rocm-smi-json', 'rocminfo-text', 'system-profiler-json', 'vulkaninfo-summary'];

export interface DetectOptions {
  /** Which platform's tools to run (default: this one). */
  platform?: NodeJS.Platform;
  /** Per-tool timeout (default 5 s). */
  timeoutMs?: number;
  /** Environment for the tools (PATH decides which binaries are found). */
  env?: NodeJS.ProcessEnv;
  /** Ask systeminformation for GPUs when no vendor tool found one (default true). */
  systemGraphics?: boolean;
  /** The environment engines will inherit, read for GPU visibility variables (default process.env). */
  visibilityEnv?: VisibilityEnv;
}

export async function detectHardware(opts: DetectOptions = {}): Promise<HardwareSnapshot> {
  const platform = opts.platform ?? process.platform;
  const run = { timeoutMs: opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS, ...(opts.env ? { env: opts.env } : {}) };
  const memoryJob = detectMemory(platform);
  const vendorJobs: Promise<SourceOutcome[]>[] =
    platform === 'darwin' ? [memoryJob.then((m) => detectApple(m.memory.totalBytes, run))] : [detectNvidia(run), ...(platform === 'linux' ? [detectAmd(run)] : [])];
  const [cpu, memory, vendor, vulkan] = await Promise.all([detectCpu(platform), memoryJob, Promise.all(vendorJobs), platform === 'darwin' ? Promise.resolve(null) : detectVulkan(run)]);
  const outcomes = vendor.flat();
  if (vulkan) outcomes.push(vulkan.outcome);
  const found = outcomes.some((o) => o.gpus.length > 0) || (vulkan?.devices.length ?? 0) > 0;
  const fallback = !found && opts.systemGraphics !== false ? await lastResortGpus(platform, run.timeoutMs) : undefined;
  const snapshot = buildSnapshot({
    platform,
    detectedAt: new Date(),
    cpu: cpu.cpu,
    memory: memory.memory,
    outcomes,
    ...(fallback ? { fallback } : {}),
    vulkanDevices: vulkan?.devices ?? [],
    extraSources: [cpu.source, memory.source],
    extraWarnings: [cpu.warning, memory.warning].filter((w): w is string => w !== null).map((message) => ({ source: 'systeminformation' as const, message })),
  });
  const visibility = visibilityFromEnv(opts.visibilityEnv ?? process.env);
  return { ...snapshot, visibility, warnings: [...snapshot.warnings, ...visibilityWarnings(snapshot.gpus, visibility)] };
}

/** Linux: the PCI display controllers in sysfs (no process started); systeminformation where sysfs has no PCI bus, and elsewhere. */
async function lastResortGpus(platform: NodeJS.Platform, timeoutMs: number): Promise<SourceOutcome> {
  const pci = platform === 'linux' ? await detectPciGraphics() : null;
  return pci ?? detectSystemGraphics(timeoutMs);
}

export interface ToolOutput {
  tool: HardwareTool;
  text: string;
  /** Where it came from (a file name), for warnings. */
  label?: string;
}

/**
 * Support mode: the GPU part of the snapshot from saved tool output (a customer's machine), CPU and
 * RAM from this machine (said so in a warning). Unreadable files become warnings, like broken tools.
 */
export async function snapshotFromToolOutputs(inputs: ToolOutput[]): Promise<HardwareSnapshot> {
  const [cpu, memory] = await Promise.all([detectCpu(), detectMemory()]);
  const of = (tool: HardwareTool) => inputs.filter((i) => i.tool === tool);
  const parse = (i: ToolOutput, fn: (t: string) => ReturnType<typeof parseNvidiaSmiXml>) => {
    const o = outcomeFromParse(i.tool, () => fn(i.text));
    o.warnings = o.warnings.map((w) => ({ ...w, message: i.label ? `${i.label}: ${w.message}` : w.message }));
    return o;
  };
  const xml = of('nvidia-smi-xml').map((i) => parse(i, parseNvidiaSmiXml));
  const csv = of('nvidia-smi-csv').map((i) => parse(i, (t) => parseNvidiaSmiCsv(t)));
  const rocm = of('rocm-smi-json').map((i) => parse(i, parseRocmSmiJson));
  let agents: RocminfoAgent[] = [];
  const rocminfo = of('rocminfo-text').map((i) => parse(i, (t) => ((agents = [...agents, ...parseRocminfo(t)]), { gpus: [], notes: [] })));
  const apple = of('system-profiler-json').map((i) => parse(i, (t) => parseSystemProfilerJson(t, null)));
  let vulkanDevices: VulkanDevice[] = [];
  const vulkan = of('vulkaninfo-summary').map((i) => parse(i, (t) => ((vulkanDevices = [...vulkanDevices, ...parseVulkaninfoSummary(t)]), { gpus: [], notes: [] })));

  const nvidiaGpus = mergeNvidia(
    xml.flatMap((o) => o.gpus),
    csv.flatMap((o) => o.gpus),
  );
  const amdGpus = mergeRocminfo(
    rocm.flatMap((o) => o.gpus),
    agents,
  );
  const outcomes: SourceOutcome[] = [
    ...xml.map((o) => ({ ...o, gpus: [] })),
    ...csv.map((o) => ({ ...o, gpus: [] })),
    { source: 'nvidia-smi-xml', answered: false, gpus: nvidiaGpus, warnings: [] },
    ...rocm.map((o) => ({ ...o, gpus: [] })),
    { source: 'rocm-smi-json', answered: false, gpus: amdGpus, warnings: [] },
    ...rocminfo,
    ...apple,
    ...vulkan,
  ];
  const warnings = [{ source: 'os' as const, message: 'support mode: GPUs come from the saved tool output; cpu and memory describe this machine' }];
  if (apple.some((o) => o.gpus.some((g) => g.unifiedMemory))) warnings.push({ source: 'os', message: "support mode: unified-memory GPU size is unknown without the machine's RAM" });
  return buildSnapshot({
    platform: process.platform,
    detectedAt: new Date(),
    cpu: cpu.cpu,
    memory: memory.memory,
    outcomes,
    vulkanDevices,
    extraSources: [cpu.source, memory.source],
    extraWarnings: warnings,
  });
}
