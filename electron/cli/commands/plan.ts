// `llama-orch plan`: where a model would go and why, without starting it. With --hardware it plans for
// another machine (a snapshot saved with `llama-orch hardware --json`).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KV_CACHE_TYPES, type HardwareSnapshot, type KvCacheType, type PlacementOverrides, type PlanResponse } from '../../contract/index.js';
import { defaultDataDir } from '../../core/paths.js';
import { formatBytes } from '../../core/placement/format.js';
import { previewPlan } from '../../core/plans/service.js';
import { type CliCommand, UsageError } from '../command.js';
import { dataDirOf, withLocalCore } from '../local-core.js';

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'show where a model would be placed (GPUs, layers, memory) and why',
  usage: `llama-orch plan <model-id|file.gguf> [--hardware <snapshot.json>] [--devices CUDA0,CUDA1|cpu] [--ctx N] [--parallel N] [--ngl N] [--json]

  --hardware    plan for the machine in this snapshot (from \`llama-orch hardware --json\`) instead of this one
  --devices     engine devices to use (CUDA0,CUDA1 …) or cpu
  --ctx         context per slot, in tokens
  --parallel    parallel slots (concurrent requests)
  --ngl         layers to put on GPUs (layers + 1 includes the output layer)
  --ts          tensor split, e.g. 3,1
  --split-mode  none, layer or row;  --main-gpu N (position in --devices)
  --ctk, --ctv  KV cache types (${KV_CACHE_TYPES.join(', ')});  --fa on|off
  --force       accept a plan that does not fit the estimate
  --workers     RPC workers (\`llama-orch workers\`): auto (when it does not fit here), never or always
  --local-ram-mib  use at most this much RAM of this machine
  --json        print the plan as JSON
  --data-dir    data folder, for model ids (default: ${defaultDataDir()})`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        hardware: { type: 'string' },
        devices: { type: 'string' },
        ctx: { type: 'string' },
        parallel: { type: 'string' },
        ngl: { type: 'string' },
        ts: { type: 'string' },
        'split-mode': { type: 'string' },
        'main-gpu': { type: 'string' },
        ctk: { type: 'string' },
        ctv: { type: 'string' },
        fa: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        workers: { type: 'string' },
        'local-ram-mib': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one model (a library id or a .gguf file)');
    const overrides = overridesFrom(values);
    const hardware = values.hardware ? readSnapshot(values.hardware) : undefined;
    const given = positionals[0]!;
    const model = existsSync(given) ? resolve(given) : given;
    // The planner's inputs as `serve` gathers them (one composition root): the library, detected
    // hardware, the installed engine's devices, the placement settings (margins, default context).
    const res = await withLocalCore(dataDirOf(values), (core) => previewPlan({ model, overrides, ...(hardware ? { hardware } : {}) }, core.planSources()));
    process.stdout.write(values.json ? `${JSON.stringify(res, null, 2)}\n` : render(res));
    return res.plan ? 0 : 1;
  },
};

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got '${v}'`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

function overridesFrom(v: Record<string, string | boolean | undefined>): PlacementOverrides {
  const s = (k: string) => v[k] as string | undefined;
  const o: PlacementOverrides = {};
  const set = <K extends keyof PlacementOverrides>(k: K, value: PlacementOverrides[K] | undefined) => {
    if (value !== undefined) o[k] = value;
  };
  set('devices', s('devices')?.split(','));
  set('contextSize', int('ctx', s('ctx')));
  set('parallel', int('parallel', s('parallel')));
  set('nGpuLayers', int('ngl', s('ngl')));
  set('mainGpu', int('main-gpu', s('main-gpu')));
  set('splitMode', oneOf('split-mode', s('split-mode'), ['none', 'layer', 'row'] as const));
  set('cacheTypeK', oneOf<KvCacheType>('ctk', s('ctk'), KV_CACHE_TYPES));
  set('cacheTypeV', oneOf<KvCacheType>('ctv', s('ctv'), KV_CACHE_TYPES));
  set('flashAttention', oneOf('fa', s('fa'), ['on', 'off', 'auto'] as const));
  const ts = s('ts');
  if (ts !== undefined) {
    const shares = ts.split(',').map(Number);
    if (shares.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--ts must be shares like 3,1, got '${ts}'`);
    o.tensorSplit = shares;
  }
  if (v.force) o.force = true;
  set('workers', oneOf('workers', s('workers'), ['auto', 'never', 'always'] as const));
  const ram = int('local-ram-mib', s('local-ram-mib'));
  if (ram !== undefined) o.localRamLimitMiB = ram;
  return o;
}

function readSnapshot(file: string): HardwareSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (err) {
    throw new UsageError(`--hardware ${file}: not a readable JSON snapshot (${(err as Error).message})`);
  }
  const s = doc as Partial<HardwareSnapshot>;
  if (s?.schemaVersion !== 1 || !Array.isArray(s.gpus) || typeof s.memory?.totalBytes !== 'number') {
    throw new UsageError(`--hardware ${file}: not a hardware snapshot (expected the output of \`llama-orch hardware --json\`, schemaVersion 1)`);
  }
  return s as HardwareSnapshot;
}

function render(res: PlanResponse): string {
  const m = res.model;
  const lines = [`model: ${m.name ?? m.path} (${m.architecture}, ${m.layers} layers, ${formatBytes(m.fileBytes)}, trained context ${m.contextLength})`];
  if (res.plan) {
    const p = res.plan;
    lines.push(`plan (${p.fit}${p.forced ? ', FORCED' : ''}): ${p.summary}`);
    for (const d of p.devices) {
      if (d.totalBytes === 0) continue;
      lines.push(
        `  ${d.id.padEnd(8)} weights ${formatBytes(d.weightsBytes)}, KV cache ${formatBytes(d.kvBytes)}, compute ${formatBytes(d.computeBytes)}${d.outputBytes ? `, output ${formatBytes(d.outputBytes)}` : ''}${d.overheadBytes ? `, overhead ${formatBytes(d.overheadBytes)}` : ''} = ${formatBytes(d.totalBytes)} of ${formatBytes(d.availableBytes)} available`,
      );
    }
    for (const w of p.warnings) lines.push(`  note: ${w}`);
    lines.push(`engine args: ${res.argv!.join(' ')}`);
  } else {
    lines.push(`no plan: ${res.error}`);
  }
  for (const r of res.rejected) lines.push(`not used: ${r.device}: ${r.reason}`);
  if (res.eviction) lines.push(`to do better: ${res.eviction.reason}; then: ${res.eviction.plan.summary}`);
  return `${lines.join('\n')}\n`;
}
