// A staging check: each chosen deployment runs a second instance on the candidate engine, with the
// same argv (same plan), beside the live one; both answer the fixed probes and are compared. The
// candidate instance is always stopped afterwards. The report is kept (CheckReports).
import { randomBytes } from 'node:crypto';
import type { DeploymentCheckResult, EngineCheckReport, EngineProbeRun, InstanceInfo, LogLine } from '../../contract/index.js';
import type { LaunchSpec } from '../supervisor/instance.js';
import { redactEngineLine } from '../util/redact.js';
import { compare, pairedRatio, probe as probeHttp, SLOWER_THRESHOLD, worst, type ProbeAnswer, type ProbeTarget } from './probes.js';

/** What the check needs of an engine instance (the supervisor's EngineInstance). */
export interface CheckInstance {
  readonly spec: LaunchSpec;
  readonly apiKey: string;
  ensureReady(): Promise<void>;
  baseUrl(): string | null;
  info(): InstanceInfo;
  tailLogs(n?: number): LogLine[];
  facts(): { buffers: { device: string; bytes: number }[] };
}

export interface CheckSubject {
  name: string;
  role: DeploymentCheckResult['role'];
  /** The deployment's live engine, ready (started on the current engine if it was not running). */
  current(): Promise<CheckInstance>;
  /** Whether a second copy fits beside the live one (default yes); otherwise they run one after the other. */
  fitsBeside?(): Promise<boolean>;
  /** Stop the live engine (one-after-the-other checks); `current()` starts it again. */
  stopCurrent?(): Promise<void>;
}

export interface CheckEffects {
  createInstance(spec: LaunchSpec): CheckInstance;
  removeInstance(id: string): Promise<void>;
  now(): number;
  /** The probe (default: the fixed probe set over HTTP); unit tests answer it themselves. */
  probe?(target: ProbeTarget, role: DeploymentCheckResult['role']): Promise<ProbeAnswer>;
}

export async function runCheck(fx: CheckEffects, opts: { candidate: string; candidateBinary: string; current: string; subjects: CheckSubject[] }): Promise<EngineCheckReport> {
  const startedAt = new Date(fx.now()).toISOString();
  const results: DeploymentCheckResult[] = [];
  // One deployment at a time: only one extra engine is ever running because of a check.
  for (const s of opts.subjects) results.push(await checkOne(fx, s, opts.candidate, opts.candidateBinary, opts.current));
  return {
    schemaVersion: 1,
    id: `${startedAt.replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
    candidate: opts.candidate,
    current: opts.current,
    startedAt,
    finishedAt: new Date(fx.now()).toISOString(),
    verdict: worst(results.map((r) => r.verdict)),
    results,
  };
}

/** Probe rounds per engine, alternating; the speeds shown are the best round of each, the ratios the median of paired rounds. */
export const PROBE_ROUNDS = 3;
/** A candidate that looks slower gets more rounds before it is called slower (noise is not a regression). */
export const CONFIRM_ROUNDS = 6;

async function checkOne(fx: CheckEffects, s: CheckSubject, candidate: string, candidateBinary: string, currentLabel: string): Promise<DeploymentCheckResult> {
  const live = await s.current();
  if (s.stopCurrent && !((await s.fitsBeside?.()) ?? true)) return checkAfterTheOther(fx, s, live, candidate, candidateBinary, currentLabel);
  const probe = fx.probe ?? probeHttp;
  const currentRun = (): EngineProbeRun => ({ engine: currentLabel, loaded: true, loadMs: loadMsOf(live.info()), error: null, tokens: null, promptTps: null, genTps: null, memory: memoryOf(live) });
  return onCandidate(
    fx,
    s,
    live,
    candidate,
    candidateBinary,
    async (failed) => compare(s.name, s.role, true, { ...currentRun(), ...pick(await probe(targetOf(live), s.role)) }, failed),
    async (inst, loadMs) => {
      const cur: ProbeAnswer[] = [];
      const cand: ProbeAnswer[] = [];
      const measured = () => ({
        gen: pairedRatio(
          cur.map((r) => r.genTps),
          cand.map((r) => r.genTps),
        ),
        prompt: pairedRatio(
          cur.map((r) => r.promptTps),
          cand.map((r) => r.promptTps),
        ),
      });
      // Alternating rounds (current, candidate) so drift hits both alike; more while it looks slower.
      await rounds(
        fx,
        s,
        [
          [live, cur],
          [inst, cand],
        ],
        (i) => i < PROBE_ROUNDS || (i < PROBE_ROUNDS + CONFIRM_ROUNDS && looksSlower(measured().gen)),
      );
      return compare(s.name, s.role, true, { ...currentRun(), ...best(cur) }, { ...candidateRun(candidate, loadMs, inst), ...best(cand) }, measured());
    },
  );
}

/**
 * When memory does not allow both engines at once: the current one answers its rounds, is stopped,
 * the candidate answers its rounds and is stopped, and the current one is started again. The
 * deployment does not serve meanwhile; the report says so (`sideBySide: false`).
 */
async function checkAfterTheOther(fx: CheckEffects, s: CheckSubject, live: CheckInstance, candidate: string, candidateBinary: string, currentLabel: string): Promise<DeploymentCheckResult> {
  const cur: ProbeAnswer[] = [];
  await rounds(fx, s, [[live, cur]], (i) => i < PROBE_ROUNDS);
  const currentRun = { engine: currentLabel, loaded: true, loadMs: loadMsOf(live.info()), error: null, memory: memoryOf(live), ...best(cur) };
  await s.stopCurrent!();
  try {
    return await onCandidate(
      fx,
      s,
      live,
      candidate,
      candidateBinary,
      (failed) => compare(s.name, s.role, false, currentRun, failed),
      async (inst, loadMs) => {
        const cand: ProbeAnswer[] = [];
        await rounds(fx, s, [[inst, cand]], (i) => i < PROBE_ROUNDS);
        return compare(s.name, s.role, false, currentRun, { ...candidateRun(candidate, loadMs, inst), ...best(cand) });
      },
    );
  } finally {
    await s.current(); // serving again on the current engine
  }
}

/**
 * Start the candidate engine with the live one's launch spec, hand it to `use` once ready (or the
 * failed run to `failed` when it does not start), and always stop it afterwards.
 */
async function onCandidate<T>(
  fx: CheckEffects,
  s: CheckSubject,
  live: CheckInstance,
  candidate: string,
  candidateBinary: string,
  failed: (run: EngineProbeRun) => Promise<T> | T,
  use: (inst: CheckInstance, loadMs: number) => Promise<T>,
): Promise<T> {
  const spec: LaunchSpec = { ...live.spec, id: `${s.name}.check`, modelId: `${s.name}.check`, enginePath: candidateBinary };
  const inst = fx.createInstance(spec);
  try {
    const t0 = fx.now();
    try {
      await inst.ensureReady();
    } catch (err) {
      return await failed({ engine: candidate, loaded: false, loadMs: null, error: errorLine(inst, err as Error), tokens: null, promptTps: null, genTps: null, memory: [] });
    }
    return await use(inst, fx.now() - t0);
  } finally {
    await fx.removeInstance(spec.id);
  }
}

/** Probe rounds while `more(round)`: each round asks every engine once, in order, into its list. */
async function rounds(fx: CheckEffects, s: CheckSubject, engines: [CheckInstance, ProbeAnswer[]][], more: (round: number) => boolean): Promise<void> {
  const probe = fx.probe ?? probeHttp;
  for (let i = 0; more(i); i++) for (const [inst, answers] of engines) answers.push(await probe(targetOf(inst), s.role));
}

function looksSlower(genRatio: number | null): boolean {
  return genRatio !== null && genRatio < SLOWER_THRESHOLD;
}

function candidateRun(candidate: string, loadMs: number, inst: CheckInstance): EngineProbeRun {
  return { engine: candidate, loaded: true, loadMs, error: null, tokens: null, promptTps: null, genTps: null, memory: memoryOf(inst) };
}

function targetOf(inst: CheckInstance): ProbeTarget {
  const url = inst.baseUrl();
  if (!url) throw new Error(`engine of '${inst.spec.id}' has no address`);
  return { baseUrl: url, apiKey: inst.apiKey };
}

function pick(a: ProbeAnswer): Pick<ProbeAnswer, 'tokens' | 'embedding' | 'promptTps' | 'genTps'> {
  return { tokens: a.tokens, embedding: a.embedding, promptTps: a.promptTps, genTps: a.genTps };
}

/** The first round's output (all rounds are seeded alike) with the best speeds of all rounds. */
function best(rounds: ProbeAnswer[]): ProbeAnswer {
  const max = (xs: (number | null)[]) => xs.reduce<number | null>((m, x) => (x !== null && (m === null || x > m) ? x : m), null);
  return { ...pick(rounds[0]!), promptTps: max(rounds.map((r) => r.promptTps)), genTps: max(rounds.map((r) => r.genTps)) };
}

function loadMsOf(info: InstanceInfo): number | null {
  return info.startedAt && info.readyAt ? Date.parse(info.readyAt) - Date.parse(info.startedAt) : null;
}

function memoryOf(inst: CheckInstance): { device: string; bytes: number }[] {
  const per = new Map<string, number>();
  for (const b of inst.facts().buffers) per.set(b.device, (per.get(b.device) ?? 0) + b.bytes);
  return [...per].map(([device, bytes]) => ({ device, bytes }));
}

/**
 * The engine's own error line: its first error line in the log (the cause; later ones say it failed),
 * else the instance's failure reason.
 */
function errorLine(inst: CheckInstance, err: Error): string {
  const first = inst.tailLogs(500).find((l) => l.stream !== 'supervisor' && l.level === 'error');
  return redactEngineLine(first?.text ?? inst.info().reason ?? err.message);
}
