// `llama-orch hardware`: what this machine can run (CPU, RAM, GPUs), as a table or JSON; with --from,
// the GPU part comes from a customer's saved tool output (support mode).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineDevice, HardwareTool } from '../../contract/index.js';
import { detectHardware, HARDWARE_TOOLS, snapshotFromToolOutputs, type ToolOutput } from '../../core/hardware/detect.js';
import { EngineFacts } from '../../core/engines/facts.js';
import { formatSnapshot } from '../../core/hardware/format.js';
import { type CliCommand, UsageError } from '../command.js';

export const hardwareCommand: CliCommand = {
  name: 'hardware',
  summary: 'show the CPU, RAM and GPUs llama-orch detects (what placement plans with)',
  usage: `llama-orch hardware [--json] [--from <tool>=<file>]... [--engine <llama-server>] [--timeout <ms>]

  --json      print the snapshot as JSON (schemaVersion 1) instead of a table
  --from      build the GPU list from saved tool output instead of running tools (repeatable);
              tools: ${HARDWARE_TOOLS.join(', ')}
              e.g. --from nvidia-smi-xml=gpu.xml  (saved from \`nvidia-smi -q -x > gpu.xml\`)
  --engine    also run \`llama-server --list-devices\` and map its devices (CUDA0, Vulkan1, …) to the GPUs
  --timeout   per-tool timeout in milliseconds (default 5000)`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, from: { type: 'string', multiple: true }, engine: { type: 'string' }, timeout: { type: 'string' } },
      strict: true,
    });
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) throw new UsageError(`--timeout must be a positive integer (milliseconds), got '${values.timeout}'`);
    const inputs = (values.from ?? []).map(readToolOutput);
    const snapshot = inputs.length > 0 ? await snapshotFromToolOutputs(inputs) : await detectHardware(timeoutMs ? { timeoutMs } : {});
    let engineDevices: EngineDevice[] | undefined;
    if (values.engine) {
      const r = await new EngineFacts(async () => snapshot).devices(resolve(values.engine));
      engineDevices = r.devices;
      snapshot.warnings.push(...r.warnings);
    }
    process.stdout.write(values.json ? `${JSON.stringify(engineDevices ? { ...snapshot, engineDevices } : snapshot, null, 2)}\n` : formatSnapshot(snapshot, engineDevices));
    return 0;
  },
};

function readToolOutput(spec: string): ToolOutput {
  const eq = spec.indexOf('=');
  const tool = spec.slice(0, Math.max(eq, 0));
  const file = spec.slice(eq + 1);
  if (eq <= 0 || !file) throw new UsageError(`--from expects <tool>=<file>, got '${spec}'`);
  if (!(HARDWARE_TOOLS as readonly string[]).includes(tool)) throw new UsageError(`--from: unknown tool '${tool}'; tools: ${HARDWARE_TOOLS.join(', ')}`);
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`--from ${tool}: file not found: ${path}`);
  return { tool: tool as HardwareTool, text: readFileSync(path, 'utf8'), label: file };
}
