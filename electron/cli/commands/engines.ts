// `llama-orch engines list|install|import|remove`: provisioning of llama-server builds from the
// command line (in-process, no running core needed).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineInfo, ProgressEvent } from '../../contract/index.js';
import { EngineService } from '../../core/engines/service.js';
import { detectHardware } from '../../core/hardware/detect.js';
import { dataLayout, defaultDataDir } from '../../core/paths.js';
import { SettingsStore } from '../../core/settings/settings.js';
import { type CliCommand, UsageError } from '../command.js';
import { KEEP_LAST_DEFAULTS } from '../../core/engines/defaults.js';
import { check, defaultsOn, promote, rollback, setDefault } from './engine-upgrades.js';

const USAGE = `llama-orch engines <list|install|import|remove|default|check|promote|rollback> [options]

  list     [--json]                                  installed engines with their provenance
                                                     (tag, commit, archive sha256 and URL, licence)
  install  [--tag <tag>] [--variant <v>] [--source <url>] [--dry-run]
           download the llama.cpp build that fits this machine (or the named variant:
           e.g. ubuntu-vulkan-x64, or a backend: cpu, cuda, vulkan, rocm, metal)
  import   <archive.tar.gz|zip> [--sha256 <hex>] [--with <runtime.zip>]...
           install from a local archive (offline); --with unpacks more archives beside the
           binary: a Windows CUDA build needs the cudart archive of the same release (found by
           itself when it lies beside the engine archive)
  remove   <id>                                      delete an installed engine (not the default
                                                     nor one of the last ${KEEP_LAST_DEFAULTS} defaults)
  default  [<id>]                                    show or set the default engine (installs and
                                                     imports never change it, except the first one)
  check    <id> [--deployments a,b | --all] [--json] staging check of a candidate against the saved
                                                     deployments (needs the running core)
  promote  <id> [--force] [--deployments a,b]        make a checked engine the default (or pin just
                                                     these deployments to it); running deployments
                                                     move one by one (rolling restart)
  rollback                                           back to the previous default engine

  --data-dir   data folder (default: ${defaultDataDir()})
  --source     release metadata base URL in the GitHub releases-API shape, https://… or file://…
               (default: LLAMA_ORCH_ENGINE_SOURCE or https://api.github.com/repos/ggml-org/llama.cpp)`;

export const enginesCommand: CliCommand = {
  name: 'engines',
  summary: 'list, install, import, remove, check and promote llama-server engines',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        tag: { type: 'string' },
        variant: { type: 'string' },
        source: { type: 'string' },
        sha256: { type: 'string' },
        with: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        deployments: { type: 'string' },
        all: { type: 'boolean' },
        force: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      strict: true,
    });
    const [action, arg, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const layout = dataLayout(resolve(values['data-dir'] ?? defaultDataDir()));
    const service = new EngineService({
      enginesDir: layout.engines,
      downloadsDir: layout.downloads,
      runDir: layout.run,
      ...(values.source ? { releaseSource: values.source } : {}),
      machine: () => detectHardware(),
      defaults: defaultsOn(layout),
      offline: () => offlineSetting(layout.settings),
    });
    switch (action) {
      case 'list':
        return list(service, values.json ?? false);
      case 'install':
        return install(service, { tag: values.tag, variant: values.variant, dryRun: values['dry-run'] ?? false });
      case 'import': {
        if (!arg) throw new UsageError('engines import needs the path of an archive');
        const engine = await service.importArchive(resolve(arg), { sha256: values.sha256 ?? null, with: (values.with ?? []).map((w) => resolve(w)), onProgress: progressPrinter() });
        printInstalled(engine);
        return 0;
      }
      case 'remove':
        if (!arg) throw new UsageError('engines remove needs an engine id (see `llama-orch engines list`)');
        await service.remove(arg);
        process.stdout.write(`removed engine ${arg}\n`);
        return 0;
      case 'default':
        return setDefault(layout, service, arg);
      case 'check':
        return check(layout.root, arg, values.deployments, values.all ?? false, values.json ?? false);
      case 'promote':
        return promote(layout.root, arg, values.force ?? false, values.deployments);
      case 'rollback':
        return rollback(layout.root);
      default:
        throw new UsageError(action ? `unknown engines action '${action}'` : 'engines needs an action');
    }
  },
};

function list(service: EngineService, json: boolean): number {
  const engines = service.list();
  if (json) {
    process.stdout.write(JSON.stringify({ data: engines, defaultTag: service.defaultTag, releaseSource: service.releaseSource }, null, 2) + '\n');
    return 0;
  }
  if (engines.length === 0) {
    process.stdout.write(`no engines installed; run \`llama-orch engines install\` (default tag ${service.defaultTag})\n`);
    return 0;
  }
  for (const e of engines) {
    const devices = e.devices.map((d) => d.id).join(', ') || 'CPU only';
    process.stdout.write(
      `${e.id}${e.id === service.defaultEngine ? '  (default)' : ''}\n  ${e.version ?? 'version unknown'} · ${e.backend ?? 'backend unknown'} · devices: ${devices}\n  ${provenance(e)}\n  ${e.binary}\n`,
    );
  }
  return 0;
}

/** Tag, commit, archive digest, licence and origin on one line (the full record: `--json`). */
function provenance(e: EngineInfo): string {
  const license = e.license ? `${e.license.spdx ?? 'unknown'}${e.license.basis === 'file' ? '' : ` (${e.license.basis})`}` : 'unknown';
  const from = e.source?.archives[0]?.url ?? e.source?.location;
  return `tag ${e.tag ?? '?'} · commit ${e.commit ?? '?'} · sha256 ${e.digest ?? '?'} · licence ${license}${from ? ` · from ${from}` : ''}`;
}

async function install(service: EngineService, opts: { tag: string | undefined; variant: string | undefined; dryRun: boolean }): Promise<number> {
  const plan = await service.prepare({ ...(opts.tag ? { tag: opts.tag } : {}), ...(opts.variant ? { variant: opts.variant } : {}) });
  process.stdout.write(`llama.cpp ${plan.release.tag}, variant ${plan.choice.variant}: ${plan.choice.reason}\n`);
  if (plan.existing) {
    process.stdout.write(`already installed: ${plan.existing.binary}\n`);
    return 0;
  }
  if (opts.dryRun) {
    process.stdout.write(`would download: ${plan.choice.assets.join(', ')}\n`);
    return 0;
  }
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once('SIGINT', onSignal);
  try {
    printInstalled(await service.run(plan, { signal: ac.signal, onProgress: progressPrinter() }));
  } finally {
    process.off('SIGINT', onSignal);
  }
  return 0;
}

function printInstalled(e: EngineInfo): void {
  if (e.becameDefault) process.stdout.write(`${e.id} is the first engine here and is now the default engine\n`);
  process.stdout.write(
    `installed engine ${e.id}\n  ${e.version ?? 'version unknown'}\n  devices: ${e.devices.map((d) => `${d.id} (${d.name})`).join(', ') || 'none besides the CPU'}\n  ${e.binary}\n`,
  );
}

/** Progress on stderr: one rewritten line on a terminal, a line per 10 % otherwise. */
function progressPrinter(): (p: ProgressEvent) => void {
  let lastDecile = -1;
  let lastLabel = '';
  return (p) => {
    const pct = p.totalBytes ? Math.floor((p.bytes / p.totalBytes) * 100) : null;
    const rate = p.bytesPerSecond ? ` ${(p.bytesPerSecond / 1048576).toFixed(1)} MiB/s` : '';
    const eta = p.etaSeconds != null && p.state === 'running' ? ` ETA ${Math.ceil(p.etaSeconds)} s` : '';
    const text = `${p.label}: ${pct ?? '?'}% (${(p.bytes / 1048576).toFixed(1)} MiB)${rate}${eta}${p.error ? ` — ${p.error}` : ''}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[K${text}${p.state === 'running' ? '' : '\n'}`);
      return;
    }
    const decile = pct === null ? 0 : Math.floor(pct / 10);
    if (decile !== lastDecile || p.label !== lastLabel || p.state !== 'running') process.stderr.write(`${text}\n`);
    lastDecile = decile;
    lastLabel = p.label;
  };
}

/** settings.network.offline of the data dir (an unreadable settings file: not offline, as before). */
function offlineSetting(file: string): boolean {
  try {
    return existsSync(file) && new SettingsStore(file).get().network.offline;
  } catch {
    return false;
  }
}
