// `llama-orch deploy|ps|load|unload|logs`: deployments from the command line. With a core running on
// the data dir (serve or the desktop app) they go through its API, so its engines follow at once;
// `deploy` and `ps` also work without one, through the same services (the core's composition root).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeploymentInput, DeploymentListResponse, DeploymentView, InstanceInfo, LogLine } from '../../contract/index.js';
import { DEPLOYMENT_ROLES, deploymentInputSchema, ROUTES } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { validate } from '../../core/util/validate.js';
import { type CliCommand, UsageError } from '../command.js';
import { ApiCallError, CoreClient } from '../core-client.js';
import { dataDirOf, withLocalCore } from '../local-core.js';

const dataDirOption = { 'data-dir': { type: 'string' } } as const;

export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'save how a model runs (name, aliases, devices, slots, role…); survives restarts',
  usage: `llama-orch deploy <model> [--name <name>] [--alias <alias>]... [--devices cpu|CUDA0,CUDA1] [--ctx <tokens>]
                 [--parallel <slots>] [--role chat|embeddings|rerank] [--pooling mean|cls|last]
                 [--engine <id|path>] [--mmproj <file>] [--engine-updates follow|after-check] [--reproducible] [--pin] [--idle-ttl <seconds>] [--flag <engine flag>]...
                 [--json] [--data-dir <dir>]

  <model>        a library id or alias, or a path to a GGUF file
  --name         the deployment's name (default: the model id or file name); deploying an existing
                 name changes that deployment (re-planned first: a refusal leaves its engine running)
  --alias        another name clients may use (\`gpt-4o-mini\`, \`default\`); unique across deployments
  --mmproj       a vision projector (mmproj GGUF) for image input; a library model pulled or
                 imported with one uses it without this
  --devices      engine devices (\`cpu\` for CPU only); --ctx is tokens per slot
  --workers      RPC workers (\`llama-orch workers\`): auto (only when it does not fit here), never, always;
                 --local-ram-mib caps the RAM used on this machine
  --engine-updates  after-check: a switch of the default engine moves it only after a check that
                 passed for it (otherwise it is pinned to the engine it had); follow (default): always
  --flag         an extra llama-server flag from the allow-list, e.g. --flag=--no-mmap --flag=--rope-freq-base=10000`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        alias: { type: 'string', multiple: true },
        devices: { type: 'string' },
        workers: { type: 'string' },
        'local-ram-mib': { type: 'string' },
        ctx: { type: 'string' },
        parallel: { type: 'string' },
        role: { type: 'string' },
        pooling: { type: 'string' },
        engine: { type: 'string' },
        mmproj: { type: 'string' },
        'engine-updates': { type: 'string' },
        reproducible: { type: 'boolean' },
        pin: { type: 'boolean' },
        'idle-ttl': { type: 'string' },
        flag: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        ...dataDirOption,
      },
    });
    const [model, ...rest] = positionals;
    if (!model || rest.length > 0) throw new UsageError('deploy needs exactly one model (a library id or a GGUF path)');
    if (values.role !== undefined && !(DEPLOYMENT_ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${DEPLOYMENT_ROLES.join(', ')}`);
    const input = cliInput(model, values);
    const view = await upsert(dataDirOf(values), input);
    process.stdout.write(values.json ? `${JSON.stringify(view)}\n` : `deployment ${view.name} saved: ${describe(view)}\n`);
    return 0;
  },
};

function cliInput(model: string, v: Record<string, string | boolean | string[] | undefined>): DeploymentInput {
  const overrides = {
    ...(v.devices !== undefined ? { devices: String(v.devices).split(',') } : {}),
    ...(v.ctx !== undefined ? { contextSize: int(v.ctx, '--ctx') } : {}),
    ...(v.parallel !== undefined ? { parallel: int(v.parallel, '--parallel') } : {}),
    ...(v.workers !== undefined ? { workers: v.workers } : {}),
    ...(v['local-ram-mib'] !== undefined ? { localRamLimitMiB: int(v['local-ram-mib'], '--local-ram-mib') } : {}),
  };
  const raw = {
    model: /[\\/]|\.gguf$/i.test(model) ? resolve(model) : model,
    ...(v.name !== undefined ? { name: v.name } : {}),
    ...(v.alias !== undefined ? { aliases: v.alias } : {}),
    ...(Object.keys(overrides).length ? { overrides } : {}),
    ...(v.role !== undefined ? { role: v.role } : {}),
    ...(v.pooling !== undefined ? { pooling: v.pooling } : {}),
    ...(v.engine !== undefined ? { engine: v.engine } : {}),
    ...(v.mmproj !== undefined ? { mmproj: resolve(String(v.mmproj)) } : {}),
    ...(v['engine-updates'] !== undefined ? { engineUpdates: v['engine-updates'] } : {}),
    ...(v.reproducible !== undefined ? { reproducible: v.reproducible } : {}),
    ...(v.pin !== undefined ? { pinned: v.pin } : {}),
    ...(v['idle-ttl'] !== undefined ? { idleTtlSeconds: int(v['idle-ttl'], '--idle-ttl') } : {}),
    ...(v.flag !== undefined ? { extraFlags: (v.flag as string[]).flatMap(splitFlag) } : {}),
  };
  try {
    return validate(deploymentInputSchema, raw, 'deployment');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Create, or change the deployment of that name: through the running core, else on the data dir. */
async function upsert(dataDir: string, input: DeploymentInput): Promise<DeploymentView> {
  const client = CoreClient.find(dataDir);
  if (client) {
    try {
      return await client.call<DeploymentView>('POST', ROUTES.deployments, input);
    } catch (err) {
      if (!(err instanceof ApiCallError && err.status === 409 && err.envelope?.param === 'name' && input.name)) throw err;
      const { name, ...patch } = input;
      return client.call<DeploymentView>('PATCH', ROUTES.deployment(name), patch);
    }
  }
  return withOfflineCore(dataDir, async (core) => {
    const { name, ...patch } = input;
    const existing = name ? core.deployments.get(name) : undefined;
    return existing?.saved ? core.deployments.update(name!, patch) : core.deployments.create(input);
  });
}

/** The core's services without listening: for changes while no core runs on the data dir. */
function withOfflineCore<T>(dataDir: string, fn: (core: Core) => Promise<T>): Promise<T> {
  return withLocalCore(dataDir, async (core) => {
    for (const p of core.deployments.problems) process.stderr.write(`warning: ${p}\n`);
    return fn(core);
  });
}

export const psCommand: CliCommand = {
  name: 'ps',
  summary: 'list deployments and the engines serving them',
  usage: `llama-orch ps [--json] [--data-dir <dir>]`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, ...dataDirOption } });
    const dataDir = dataDirOf(values);
    const client = CoreClient.find(dataDir);
    const list = client
      ? await client.call<DeploymentListResponse>('GET', ROUTES.deployments)
      : await withOfflineCore(dataDir, async (core) => ({ data: core.deployments.views(), problems: core.deployments.problems }));
    if (values.json) return (process.stdout.write(`${JSON.stringify(list)}\n`), 0);
    const rows = [['NAME', 'MODEL', 'ROLE', 'STATE', 'PID', 'SLOTS', 'ALIASES', 'SAVED']];
    for (const d of list.data) {
      const i = d.instance;
      rows.push([
        d.name,
        d.model,
        d.role,
        i?.state ?? (client ? 'unloaded' : '(no core running)'),
        String(i?.pid ?? '-'),
        String(i?.placement?.parallel ?? d.overrides.parallel ?? '-'),
        d.aliases.join(',') || '-',
        d.saved ? 'yes' : 'no',
      ]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    process.stdout.write(
      rows
        .map((r) =>
          r
            .map((cell, c) => cell.padEnd(widths[c]!))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
    return 0;
  },
};

export const loadCommand: CliCommand = {
  name: 'load',
  summary: 'start a deployment’s engine now and wait until it is ready',
  usage: `llama-orch load <name|alias|model> [--data-dir <dir>]`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: dataDirOption });
    const name = one(positionals, 'load');
    const info = await running(values).call<InstanceInfo>('POST', `${ROUTES.loadDeployment(name)}?wait=1`);
    process.stdout.write(`${info.id}: ${info.state} (engine pid ${info.pid}, port ${info.port})\n`);
    return 0;
  },
};

export const unloadCommand: CliCommand = {
  name: 'unload',
  summary: 'stop a deployment’s engine (it loads again on the next request)',
  usage: `llama-orch unload <name|alias> [--data-dir <dir>]`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: dataDirOption });
    const name = one(positionals, 'unload');
    await running(values).call('POST', ROUTES.unloadDeployment(name));
    process.stdout.write(`${name}: unloaded\n`);
    return 0;
  },
};

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: 'show a deployment’s engine log (-f to follow)',
  usage: `llama-orch logs <name|alias> [-f] [--tail <lines>] [--data-dir <dir>]`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { follow: { type: 'boolean', short: 'f', default: false }, tail: { type: 'string', default: '200' }, ...dataDirOption },
    });
    const client = running(values);
    const view = await client.call<DeploymentView>('GET', ROUTES.deployment(one(positionals, 'logs')));
    const print = (l: LogLine) => process.stdout.write(`${l.time} ${l.stream} ${l.level} ${l.text}\n`);
    const path = `${ROUTES.instanceLogs(view.name)}?tail=${int(values.tail, '--tail')}`;
    if (!values.follow) {
      const { data } = await client.call<{ data: LogLine[] }>('GET', `${path}&follow=0`);
      data.forEach(print);
      return 0;
    }
    await client.events(path, (line) => print(line as LogLine));
    return 0;
  },
};

function running(values: { 'data-dir'?: string | undefined }): CoreClient {
  const dataDir = dataDirOf(values);
  const client = CoreClient.find(dataDir);
  if (!client) throw new Error(`no llama-orch is running on ${dataDir}; start one with \`llama-orch serve\` (or the desktop app)`);
  return client;
}

function describe(d: DeploymentView): string {
  const o = d.overrides;
  const parts = [`model ${d.model}`, `role ${d.role}`];
  if (d.aliases.length) parts.push(`aliases ${d.aliases.join(', ')}`);
  if (o.devices) parts.push(`devices ${o.devices.join(',')}`);
  if (o.parallel) parts.push(`${o.parallel} slots`);
  if (o.contextSize) parts.push(`context ${o.contextSize}`);
  if (d.projector) parts.push(`vision projector ${d.projector}`);
  if (d.reproducible) parts.push('reproducible');
  if (d.pinned) parts.push('pinned');
  return parts.join('; ');
}

function one(positionals: string[], cmd: string): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd} needs exactly one deployment name`);
  return positionals[0]!;
}

function int(v: unknown, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got '${String(v)}'`);
  return n;
}

/** `--flag=--rope-freq-base=10000` → [`--rope-freq-base`, `10000`]; `--flag=--no-mmap` → [`--no-mmap`]. */
function splitFlag(f: string): string[] {
  return f.split(/\s+/).filter(Boolean);
}
