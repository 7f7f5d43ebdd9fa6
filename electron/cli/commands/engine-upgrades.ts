// `llama-orch engines default|check|promote|rollback`: the default engine, staging checks and switches.
// check, promote and rollback talk to the running core (they start engines and restart deployments);
// `default` works on the data dir directly when no core runs.
import { join } from 'node:path';
import { ENGINE_UPGRADE_ROUTES as R, type EngineCheckReport, type EngineDefaultsResponse, type PromoteResponse } from '../../contract/index.js';
import { EngineDefaults } from '../../core/engines/defaults.js';
import type { EngineService } from '../../core/engines/service.js';
import type { DataLayout } from '../../core/paths.js';
import { SettingsStore } from '../../core/settings/settings.js';
import { UsageError } from '../command.js';
import { CoreClient } from '../core-client.js';

export function defaultsOn(layout: DataLayout): EngineDefaults {
  const settings = new SettingsStore(layout.settings);
  return new EngineDefaults(join(layout.root, 'engine-defaults.json'), {
    get: () => settings.get().engines.defaultEngine,
    set: (engine) => void settings.update({ engines: { defaultEngine: engine } }),
  });
}

function coreOf(dataDir: string, what: string): CoreClient {
  const core = CoreClient.find(dataDir);
  if (!core) throw new Error(`engines ${what} needs the running core (it starts engines and restarts deployments): start \`llama-orch serve --data-dir ${dataDir}\` or the desktop app first`);
  return core;
}

export async function setDefault(layout: DataLayout, service: EngineService, id: string | undefined): Promise<number> {
  if (!id) {
    const d = defaultsOn(layout);
    process.stdout.write(`default engine: ${d.current ?? 'none set (the newest installed engine, or --engine, is used)'}\n`);
    return 0;
  }
  const core = CoreClient.find(layout.root);
  if (core) {
    const r = await core.call<EngineDefaultsResponse>('PUT', R.defaultEngine, { engine: id });
    process.stdout.write(`default engine: ${r.defaultEngine}; running deployments move to it at their next start (\`engines promote\` restarts them now)\n`);
    return 0;
  }
  if (!service.get(id))
    throw new Error(
      `engine '${id}' is not installed; installed: ${
        service
          .list()
          .map((e) => e.id)
          .join(', ') || 'none'
      }`,
    );
  const rec = defaultsOn(layout).set(id, { actor: 'cli' });
  process.stdout.write(`default engine: ${id} (was ${rec.previous ?? 'none'})\n`);
  return 0;
}

export async function check(dataDir: string, candidate: string | undefined, deployments: string | undefined, all: boolean, json: boolean): Promise<number> {
  if (!candidate) throw new UsageError('engines check needs a candidate engine id (see `llama-orch engines list`)');
  if (deployments && all) throw new UsageError('give --deployments or --all, not both');
  const chosen = deployments
    ? deployments
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : 'all';
  const report = await coreOf(dataDir, 'check').call<EngineCheckReport>('POST', R.checks, { candidate, deployments: chosen });
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.verdict === 'fails_to_load' ? 1 : 0;
}

export async function promote(dataDir: string, id: string | undefined, force: boolean, deployments: string | undefined): Promise<number> {
  if (!id) throw new UsageError('engines promote needs an engine id');
  const chosen = deployments
    ? deployments
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  const r = await coreOf(dataDir, 'promote').call<PromoteResponse>('POST', R.promote, { engine: id, force, ...(chosen ? { deployments: chosen } : {}) });
  process.stdout.write(formatSwitch(r, force ? ' (forced)' : ''));
  return r.restarted.some((x) => x.error) ? 1 : 0;
}

export async function rollback(dataDir: string): Promise<number> {
  const r = await coreOf(dataDir, 'rollback').call<PromoteResponse>('POST', R.rollback, {});
  process.stdout.write(formatSwitch(r, ''));
  return r.restarted.some((x) => x.error) ? 1 : 0;
}

function formatSwitch(r: PromoteResponse, note: string): string {
  const head = r.deployments
    ? `pinned ${r.deployments.join(', ')} to the engine; default engine unchanged (${r.defaultEngine ?? 'none'})`
    : `default engine: ${r.defaultEngine} (was ${r.previous ?? 'none'})`;
  const lines = [`${head}${note}${r.reportId ? `, check report ${r.reportId}` : ''}`];
  for (const x of r.restarted) lines.push(x.error ? `  ${x.deployment}: kept its old engine — ${x.error}` : `  ${x.deployment}: moved, new engine ready in ${x.readyMs} ms`);
  for (const h of r.held ?? []) lines.push(`  ${h.deployment}: held on ${h.engine} (follows the default only after a passing check; pinned now)`);
  if (r.restarted.length === 0) lines.push('  no running deployment follows the default; they use it at their next start');
  return lines.join('\n') + '\n';
}

export function formatReport(r: EngineCheckReport): string {
  const rows = r.results.map((x) => [x.deployment, x.role, x.verdict, x.candidate.loadMs === null ? '-' : `${x.candidate.loadMs} ms`, x.summary]);
  const head = ['deployment', 'role', 'verdict', 'load', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [`check ${r.id}: ${r.candidate} against ${r.current} — ${r.verdict}`, fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}
