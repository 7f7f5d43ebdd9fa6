// `llama-orch diagnose`: the support bundle (a zip) for whoever helps with a broken machine. Runs on
// the data dir in-process; when a core runs there, its live deployments and metrics are asked too.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROUTES, type DeploymentListResponse } from '../../contract/index.js';
import { readControlFile } from '../../core/control-file.js';
import { Core } from '../../core/core.js';
import { scrubKnownSecrets, writeBundle } from '../../core/diagnostics/bundle.js';
import { collectDiagnostics } from '../../core/diagnostics/collect.js';
import { defaultDataDir } from '../../core/paths.js';
import { appVersion } from '../../core/version.js';
import { type CliCommand, UsageError } from '../command.js';
import { CoreClient } from '../core-client.js';

export const diagnoseCommand: CliCommand = {
  name: 'diagnose',
  summary: 'write a support bundle (versions, hardware, engines, deployments, logs, metrics; no secrets, no prompts)',
  usage: `llama-orch diagnose [--out <file.zip>] [--data-dir <dir>]

  Writes a zip with: versions and OS, the hardware snapshot and the raw tool output it came from,
  engines with their self-test, deployments, remote upstreams (never their keys), RPC workers with
  their health, settings with secrets removed, the last 2,000 lines of
  each engine log, recent events, a metrics snapshot (when llama-orch runs), and request-log
  statistics (counts and latencies only). Prompts, answers, API keys and tokens are not included.

  --out        the zip to write (default: ./llama-orch-diagnostics-<time>.zip; never overwritten)
  --data-dir   data folder (default: ${defaultDataDir()})`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    const out = resolve(values.out ?? `llama-orch-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`);
    const running = CoreClient.find(dataDir);
    const core = new Core({ dataDir });
    try {
      const entries = await collectDiagnostics({
        appVersion: appVersion(),
        logsDir: core.layout.logs,
        hardware: () => core.hardware.snapshot(),
        engines: () => core.engines.list(),
        // The running core knows which are loaded and where; the file alone only what is saved.
        deployments: async () => (running ? (await running.call<DeploymentListResponse>('GET', ROUTES.deployments)).data : core.deployments.views()),
        settings: () => core.settings.get(),
        metrics: async () => (running ? await running.textAnyStatus(ROUTES.metrics) : null),
        upstreams: () => core.upstreams.list(),
        // Each worker's status endpoint asked now (bounded by its timeout): health and devices as of the bundle.
        workers: () => core.workers.check(),
      });
      const secrets = [core.settings.get().hub.token, readControlFile(core.layout.run)?.adminToken, ...core.upstreams.secrets()];
      const r = await writeBundle(scrubKnownSecrets(entries, secrets), out);
      process.stdout.write(`${r.file}\n${r.entries.map((e) => `  ${e}\n`).join('')}`);
      return 0;
    } finally {
      await core.stop();
    }
  },
};
