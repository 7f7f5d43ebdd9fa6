// What the support bundle holds, gathered from the modules that own it: versions, OS, the hardware
// snapshot and the raw tool outputs behind it, engines with their self-test, deployments, remote
// upstreams and RPC workers, settings
// without secrets, the tail of each engine log, recent admin/supervisor events, a metrics snapshot
// and request-log statistics (counts and latencies, never content). Each entry is text; the zip is
// written by bundle.ts after every entry has passed the secret scrub.
import { existsSync, readdirSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { DeploymentView, EngineInfo, HardwareSnapshot } from '../../contract/index.js';
import { readManifest } from '../engines/manifest.js';
import { rocmSmiArgs } from '../hardware/amd.js';
import { systemProfilerArgs } from '../hardware/apple.js';
import { NVIDIA_CSV_FIELDS, nvidiaSmiBinary, nvidiaSmiCsvArgs, nvidiaSmiXmlArgs } from '../hardware/nvidia.js';
import { runTool } from '../hardware/run-tool.js';
import { redactEngineLine } from '../util/redact.js';
import { withoutSecrets } from '../util/redact-secrets.js';
import { requestStats } from './request-stats.js';
import { tail } from './tail.js';

export interface BundleEntry {
  name: string;
  text: string;
}

export interface DiagnosticsSources {
  appVersion: string;
  logsDir: string;
  hardware: () => Promise<HardwareSnapshot>;
  engines: () => EngineInfo[];
  deployments: () => Promise<DeploymentView[]>;
  settings: () => { privacy: { logContent: boolean } } & object;
  /** Prometheus text of the running core, or null when none runs. */
  metrics: () => Promise<string | null>;
  /** Remote upstreams with their health (views: never a key). */
  upstreams?: () => unknown[];
  /** RPC workers with their last health check and devices. */
  workers?: () => unknown[] | Promise<unknown[]>;
}

export const ENGINE_LOG_LINES = 2000;
const EVENT_LINES = 500;

/** The tools the hardware snapshot is built from, with the arguments detection uses. */
function rawTools(): [string, string, string[]][] {
  const byPlatform: Record<string, [string, string, string[]][]> = {
    darwin: [['system-profiler-json', 'system_profiler', systemProfilerArgs]],
  };
  return (
    byPlatform[platform()] ?? [
      ['nvidia-smi-xml', nvidiaSmiBinary(), nvidiaSmiXmlArgs],
      ['nvidia-smi-csv', nvidiaSmiBinary(), nvidiaSmiCsvArgs(NVIDIA_CSV_FIELDS)],
      ['rocm-smi-json', 'rocm-smi', rocmSmiArgs],
      ['rocminfo-text', 'rocminfo', []],
      ['vulkaninfo-summary', 'vulkaninfo', ['--summary']],
    ]
  );
}

export async function collectDiagnostics(src: DiagnosticsSources): Promise<BundleEntry[]> {
  const json = (name: string, value: unknown): BundleEntry => ({ name, text: JSON.stringify(value, null, 2) + '\n' });
  const settings = src.settings();
  const entries: BundleEntry[] = [
    json('versions.json', { app: src.appVersion, node: process.versions.node, electron: process.versions.electron ?? null, createdAt: new Date().toISOString() }),
    json('os.json', { platform: platform(), type: osType(), release: release(), arch: arch(), cpus: cpus().length, totalMemoryBytes: totalmem() }),
    json('hardware/snapshot.json', await src.hardware().catch((err: Error) => ({ error: err.message }))),
  ];
  // Saved under the tool names `llama-orch hardware --from <tool>=<file>` reads back.
  for (const [tool, file, args] of rawTools()) {
    const r = await runTool(file, args, { timeoutMs: 10_000 });
    entries.push({ name: `hardware/raw/${tool}.txt`, text: r.ok ? r.stdout : `(not available: ${r.reason})\n` });
  }
  entries.push(
    json(
      'engines.json',
      src.engines().map((e) => ({ ...e, selfTest: readManifest(e.dir)?.selfTest ?? null, source: readManifest(e.dir)?.source ?? null })),
    ),
  );
  entries.push(json('deployments.json', await src.deployments().catch((err: Error) => ({ error: err.message }))));
  if (src.upstreams) entries.push(json('upstreams.json', withoutSecrets(src.upstreams())));
  if (src.workers) entries.push(json('workers.json', withoutSecrets(await Promise.resolve(src.workers()).catch((err: Error) => ({ error: err.message })))));
  entries.push(json('settings.json', withoutSecrets(settings)));
  entries.push(...(await engineLogs(join(src.logsDir, 'engines'), settings.privacy.logContent)));
  entries.push({ name: 'events/audit.jsonl', text: (await tail(join(src.logsDir, 'audit.jsonl'), EVENT_LINES)).map((l) => scrubJsonLine(l) + '\n').join('') });
  entries.push({ name: 'metrics.txt', text: (await src.metrics().catch((err: Error) => `(metrics unavailable: ${err.message})`)) ?? '(no running core: no metrics)\n' });
  entries.push(json('requests/stats.json', await requestStats(src.logsDir)));
  return entries;
}

/** The last lines of each engine log, each through the engine-line redaction unless content logging is on. */
async function engineLogs(dir: string, logContent: boolean): Promise<BundleEntry[]> {
  if (!existsSync(dir)) return [];
  const out: BundleEntry[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => /\.log(\.\d+)?$/.test(n))
    .sort()) {
    const lines = await tail(join(dir, name), ENGINE_LOG_LINES);
    out.push({ name: `logs/engines/${name}`, text: lines.map((l) => (logContent ? l : redactEngineLine(l)) + '\n').join('') });
  }
  return out;
}

function scrubJsonLine(line: string): string {
  try {
    return JSON.stringify(withoutSecrets(JSON.parse(line)));
  } catch {
    return redactEngineLine(line);
  }
}
