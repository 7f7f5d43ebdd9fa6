// Engine upgrades: the default engine as a deliberate choice, staging checks of a candidate against
// the saved deployments, promote (with a rolling restart of the deployments that follow the default)
// and a one-step rollback. Every switch goes to the audit log with who did it and the report it relied on.
import type { EngineCheckReport, EngineDefaultsResponse, PromoteResponse } from '../../contract/index.js';
import { runCheck, type CheckEffects, type CheckSubject } from './check.js';
import type { CheckReports } from './check-store.js';
import type { EngineDefaults } from './defaults.js';
import { EngineError } from './installer.js';

export interface UpgradeEffects extends CheckEffects {
  /** The binary of an installed engine id. */
  resolveBinary(engine: string): string;
  installedIds(): string[];
  /** What the deployments that follow the default run on now: the default's id, or the binary in use. */
  currentLabel(): string;
  /** The saved deployments to check (all, or these names; throws for an unknown name). */
  subjects(names: string[] | 'all'): CheckSubject[];
  /** Move the running deployments that follow the default onto it, one at a time, each serving until its new engine is ready. */
  rollingRestart(): Promise<{ deployment: string; readyMs: number; error?: string }[]>;
  /** Pin deployments with `engineUpdates: after-check` that did not pass to the engine they had. */
  holdUnchecked(passed: (name: string) => boolean, engine: string): { deployment: string; engine: string }[];
  /** Pin these saved deployments to the engine and move them the same way. */
  pinDeployments(names: string[], engine: string): Promise<{ deployment: string; readyMs: number; error?: string }[]>;
  audit(action: string, actor: string, target: string, detail: Record<string, unknown>): void;
}

export class EngineUpgrades {
  /** One switch or check at a time: two promotes racing would restart engines twice. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly defaults: EngineDefaults,
    readonly reports: CheckReports,
    private readonly fx: UpgradeEffects,
  ) {}

  view(): EngineDefaultsResponse {
    return { defaultEngine: this.defaults.current, history: this.defaults.list() };
  }

  /** Set the default by hand: engines running now move to it at their next start. */
  setDefault(engine: string, actor: string): EngineDefaultsResponse {
    this.installed(engine);
    const rec = this.defaults.set(engine, { actor });
    this.fx.audit('engine.default', actor, engine, { previous: rec.previous });
    return this.view();
  }

  check(candidate: string, deployments: string[] | 'all', actor: string): Promise<EngineCheckReport> {
    return this.serial(async () => {
      const candidateBinary = this.installed(candidate);
      const subjects = this.fx.subjects(deployments);
      if (subjects.length === 0) throw new EngineError('invalid_request', 'there are no saved deployments to check the engine against; create one with `llama-orch deploy <model>`');
      const report = await runCheck(this.fx, { candidate, candidateBinary, current: this.fx.currentLabel(), subjects });
      this.reports.save(report);
      this.fx.audit('engine.check', actor, candidate, { reportId: report.id, verdict: report.verdict, deployments: report.results.map((r) => `${r.deployment}:${r.verdict}`) });
      return report;
    });
  }

  /**
   * Switch the default to a checked engine and restart the deployments that follow it; or, given
   * deployments, pin just those to it (the default stays).
   */
  promote(engine: string, opts: { force?: boolean; actor: string; deployments?: string[] }): Promise<PromoteResponse> {
    return this.serial(async () => {
      this.installed(engine);
      const report = this.reports.latestFor(engine);
      const forced = opts.force ?? false;
      if (!forced) refuseUnproven(engine, report);
      if (opts.deployments) {
        this.fx.audit('engine.promote', opts.actor, engine, { deployments: opts.deployments, reportId: report?.id ?? null, verdict: report?.verdict ?? null, forced });
        const restarted = await this.fx.pinDeployments(opts.deployments, engine);
        return { defaultEngine: this.defaults.current, previous: this.defaults.current, deployments: opts.deployments, reportId: report?.id ?? null, restarted };
      }
      // Computed before the switch: what the deployments that follow the default run on now.
      const before = this.defaults.current ?? this.fx.currentLabel();
      const passed = new Set(report?.results.filter((r) => r.verdict === 'pass').map((r) => r.deployment) ?? []);
      const held = this.fx.holdUnchecked((name) => passed.has(name), before);
      const rec = this.defaults.set(engine, { actor: opts.actor, reportId: report?.id ?? null, forced });
      this.fx.audit('engine.promote', opts.actor, engine, { previous: rec.previous, reportId: rec.reportId, verdict: report?.verdict ?? null, forced, held: held.map((h) => h.deployment) });
      const restarted = await this.fx.rollingRestart();
      return { defaultEngine: engine, previous: rec.previous, reportId: rec.reportId, restarted, held };
    });
  }

  /** Back to the default before the current one, in one step. */
  rollback(actor: string): Promise<PromoteResponse> {
    return this.serial(async () => {
      const previous = this.defaults.previous();
      if (!previous) throw new EngineError('no_previous', `there is no previous default engine to return to (current: ${this.defaults.current ?? 'none'})`);
      this.installed(previous);
      const rec = this.defaults.set(previous, { actor });
      this.fx.audit('engine.rollback', actor, previous, { from: rec.previous });
      const restarted = await this.fx.rollingRestart();
      return { defaultEngine: previous, previous: rec.previous, reportId: null, restarted };
    });
  }

  private installed(engine: string): string {
    const ids = this.fx.installedIds();
    if (!ids.includes(engine)) throw new EngineError('not_found', `engine '${engine}' is not installed; installed: ${ids.join(', ') || 'none'}`);
    return this.fx.resolveBinary(engine);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function refuseUnproven(engine: string, report: EngineCheckReport | null): void {
  if (!report) throw new EngineError('unchecked', `engine '${engine}' has not been checked against the deployments; run \`llama-orch engines check ${engine}\` first, or promote with --force`);
  const failed = report.results.filter((r) => r.verdict === 'fails_to_load');
  if (failed.length > 0) {
    const why = failed.map((r) => `${r.deployment}: ${r.candidate.error ?? 'did not load'}`).join('; ');
    throw new EngineError('check_failed', `engine '${engine}' failed its check (report ${report.id}): ${why}; promote with --force to switch anyway`);
  }
}
