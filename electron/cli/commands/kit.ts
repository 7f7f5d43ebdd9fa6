// `llama-orch kit export|import`: the offline kit, in-process on a data dir (no running core needed
// to export; import refuses while a core runs on the data dir, which would not see what it adds).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KitProgress } from '../../contract/index.js';
import { Core } from '../../core/core.js';
import { exportKit } from '../../core/kit/export.js';
import { importKit } from '../../core/kit/import.js';
import { defaultDataDir } from '../../core/paths.js';
import { type CliCommand, UsageError } from '../command.js';
import { CoreClient } from '../core-client.js';

const USAGE = `llama-orch kit <export|import> <dir> [options]

  export <dir> [--models <id,...>] [--engines <id,...>]
         write an offline kit into a new or empty folder (a USB stick): engines, models (split
         files whole), saved deployments, settings without secrets; kit.json lists every file
         with its size and sha256. Default: every model and engine installed.
  import <dir>
         verify every file while copying it in (a copy cut short resumes on the next run),
         then install the engines and models and recreate the deployments. A changed or missing
         file is refused by name and nothing is registered.

  --json       print the result as JSON
  --data-dir   data folder (default: ${defaultDataDir()})`;

export const kitCommand: CliCommand = {
  name: 'kit',
  summary: 'export or import an offline kit (engines, models, deployments) for a machine without network',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { models: { type: 'string' }, engines: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
      strict: true,
    });
    const [action, dir, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (action !== 'export' && action !== 'import') throw new UsageError(`expected export or import, got '${action ?? ''}'`);
    if (!dir) throw new UsageError(`kit ${action} needs a folder`);
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    if (action === 'import' && CoreClient.find(dataDir)) throw new Error(`llama-orch is running on ${dataDir}; stop it (or the desktop app) first, then import the kit`);
    const core = new Core({ dataDir });
    const onProgress = progressPrinter();
    try {
      if (action === 'export') {
        const r = await exportKit(core.kitSources(), resolve(dir), {
          ...(values.models ? { models: list(values.models) } : {}),
          ...(values.engines ? { engines: list(values.engines) } : {}),
          onProgress,
        });
        if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else
          process.stdout.write(
            `kit written to ${r.dir}: ${r.files} files, ${mib(r.bytes)}; engines: ${r.engines.join(', ') || 'none'}; models: ${r.models.join(', ') || 'none'}; deployments: ${r.deployments.join(', ') || 'none'}\n${r.skipped.map((s) => `  left out: ${s}\n`).join('')}`,
          );
        return 0;
      }
      const r = await importKit(core.kitTargets(), resolve(dir), { onProgress });
      if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else
        process.stdout.write(
          `kit imported: engines: ${r.engines.join(', ') || 'none'}; models: ${r.models.join(', ') || 'none'}; deployments: ${r.deployments.join(', ') || 'none'} (${mib(r.copiedBytes)} copied${r.resumedBytes ? `, ${mib(r.resumedBytes)} resumed` : ''})\n${r.skipped.map((s) => `  unchanged: ${s}\n`).join('')}`,
        );
      return 0;
    } finally {
      await core.stop();
    }
  },
};

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** One stderr line per file and per 10%: enough to see a USB copy move, never a flood. */
function progressPrinter(): (p: KitProgress) => void {
  let lastFile: string | null = null;
  let lastTenth = -1;
  return (p) => {
    if (!process.stderr.isTTY && p.file === lastFile) return;
    const tenth = p.totalBytes ? Math.floor((10 * p.bytes) / p.totalBytes) : 0;
    if (p.file === lastFile && tenth === lastTenth) return;
    lastFile = p.file;
    lastTenth = tenth;
    process.stderr.write(`${p.phase} ${p.file ?? ''} ${mib(p.bytes)} / ${mib(p.totalBytes)}\n`);
  };
}
