// Builds the monthly operations report from the store: availability and incidents from the
// availability samples, latency percentiles and usage from the request rows (plus the daily rollups
// of older days). Pure apart from the store reads; `now` decides where the current month ends.
import { costOf, cpuEnergyKwhEstimate, gpuEnergyKwh } from './energy.js';
import { businessWindows, secondsWithin, zonedMonth, zonedMonthWindow } from './business-hours.js';
import type { BusinessHours, DailyFigures, DeploymentReport, EnergyFigures, Incident, KeyReportUsage, OpsReport, Percentiles, SloTargets, UsageFigures } from '../../contract/index.js';
import type { OpsStore } from '../store/store.js';
import type { AvailabilityRow, RequestRow, RollupRow } from '../store/types.js';
import { HttpError } from '../util/errors.js';
import { addValue, count, mergeInto, percentileOf, type Histogram } from '../store/latency-histogram.js';

const DOWN = new Set(['down', 'failed']);

/** `YYYY-MM` → the month's window (in the time zone, UTC by default). Refused with a 400 naming `month` when malformed. */
export function monthWindow(month: string, timeZone = 'UTC'): { fromMs: number; toMs: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new HttpError(400, `month must look like 2026-11, got '${month}'`, 'invalid_request_error', 'invalid_parameter', 'month');
  const year = Number(m[1]);
  return zonedMonthWindow(year, Number(m[2]), timeZone);
}

export function currentMonth(nowMs: number, timeZone = 'UTC'): string {
  return zonedMonth(nowMs, timeZone);
}

/** The global targets, where and when availability counts, and single deployments' own targets. */
export interface SloPolicy extends SloTargets {
  /** null or absent: 24/7. */
  businessHours?: BusinessHours | null;
  /** Absent: UTC. */
  timeZone?: string;
  byDeployment?: Record<string, Partial<SloTargets>>;
}

/** The targets one deployment is measured against: its own where set, else the global ones. */
export function sloOf(policy: SloPolicy, deployment: string): SloTargets {
  const own = policy.byDeployment?.[deployment] ?? {};
  return {
    availabilityPercent: own.availabilityPercent ?? policy.availabilityPercent,
    ttftP95Ms: own.ttftP95Ms ?? policy.ttftP95Ms,
    errorRatePercent: own.errorRatePercent ?? policy.errorRatePercent,
  };
}

export interface CostSettings {
  pricePerKwh: number;
  amortisationPerMonth: number;
  referencePricePerMillionTokens: number | null;
  cpuTdpWatts: number | null;
  currency: string;
}

const NO_COST: CostSettings = { pricePerKwh: 0, amortisationPerMonth: 0, referencePricePerMillionTokens: null, cpuTdpWatts: null, currency: 'EUR' };

export function buildReport(store: OpsStore, month: string, policy: SloPolicy, nowMs: number, cost: CostSettings = NO_COST): OpsReport {
  const timeZone = policy.timeZone ?? 'UTC';
  const { fromMs, toMs: monthEnd } = monthWindow(month, timeZone);
  const toMs = Math.max(fromMs, Math.min(monthEnd, nowMs));
  const requests = store.requests(fromMs, toMs);
  const rollups = store.rollups(day(fromMs), day(monthEnd));
  const availability = store.availability(fromMs, toMs);
  const windows = businessWindows(fromMs, toMs, policy.businessHours ?? null, timeZone);
  const slo = sloOf(policy, '');
  const names = new Set([...requests.map((r) => r.deployment), ...rollups.map((r) => r.deployment), ...availability.map((a) => a.deployment)]);
  const deployments = [...names].sort().map((name) => {
    const up = availabilityOf(
      availability.filter((a) => a.deployment === name),
      fromMs,
      toMs,
      windows,
    );
    return deploymentReport(
      name,
      requests.filter((r) => r.deployment === name),
      rollups.filter((r) => r.deployment === name),
      up,
      sloOf(policy, name),
    );
  });
  const monitored = deployments.reduce((s, d) => s + d.monitoredSeconds, 0);
  const downtime = deployments.reduce((s, d) => s + d.downtimeSeconds, 0);
  const total = deploymentReport(
    '',
    requests,
    rollups,
    { monitoredSeconds: monitored, downtimeSeconds: downtime, incidents: deployments.flatMap((d) => d.incidents).sort((a, b) => a.start.localeCompare(b.start)) },
    slo,
  );
  const { deployment: _, ...totalFigures } = total;
  return {
    month,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    generatedAt: new Date(nowMs).toISOString(),
    timeZone,
    businessHours: policy.businessHours ?? null,
    slo,
    total: totalFigures,
    deployments,
    keys: keyUsage(requests, rollups),
    daily: dailyFigures(requests, rollups),
    energy: energyFigures(store, fromMs, toMs, monthEnd, totalFigures.promptTokens + totalFigures.completionTokens, cost),
    alerts: store.alerts(fromMs, toMs).map((a) => ({ time: new Date(a.timeMs).toISOString(), deployment: a.deployment, kind: a.kind, reason: a.reason })),
    rolledUpDays: new Set(rollups.map((r) => r.day)).size,
  };
}

interface Availability {
  monitoredSeconds: number;
  downtimeSeconds: number;
  incidents: Incident[];
}

/**
 * Walks one deployment's samples through the window: monitored from its first sample (or the
 * window's start when one came before), down while the last sample said `down` or `failed`.
 * Consecutive down samples are one incident; its cause is the first one's reason. Monitored time
 * and downtime count only inside `windows` (business hours); incidents are listed whole.
 */
export function availabilityOf(rows: AvailabilityRow[], fromMs: number, toMs: number, windows: [number, number][] = [[fromMs, toMs]]): Availability {
  const out: Availability = { monitoredSeconds: 0, downtimeSeconds: 0, incidents: [] };
  if (rows.length === 0) return out;
  let open: { start: number; kind: string; cause: string | null; deployment: string } | null = null;
  const close = (at: number, ended: boolean) => {
    if (!open) return;
    const seconds = (at - open.start) / 1000;
    out.downtimeSeconds += secondsWithin(windows, open.start, at);
    out.incidents.push({
      deployment: open.deployment,
      start: new Date(open.start).toISOString(),
      end: ended ? new Date(at).toISOString() : null,
      durationSeconds: round(seconds, 3),
      kind: open.kind,
      cause: open.cause,
    });
    open = null;
  };
  const start = Math.max(fromMs, rows[0]!.timeMs);
  for (const r of rows) {
    const at = Math.max(fromMs, r.timeMs);
    if (DOWN.has(r.status)) {
      if (!open) open = { start: at, kind: r.status === 'failed' ? 'failed' : r.reason?.includes('stopped answering') ? 'hung' : 'crash', cause: r.reason, deployment: r.deployment };
    } else {
      close(at, true);
    }
  }
  close(toMs, false);
  out.monitoredSeconds = round(secondsWithin(windows, start, toMs), 3);
  out.downtimeSeconds = round(out.downtimeSeconds, 3);
  return out;
}

function deploymentReport(name: string, rows: RequestRow[], rollups: RollupRow[], up: Availability, slo: SloTargets): DeploymentReport {
  const availabilityPercent = up.monitoredSeconds > 0 ? round(100 * (1 - up.downtimeSeconds / up.monitoredSeconds), 4) : null;
  const allowed = (1 - slo.availabilityPercent / 100) * up.monitoredSeconds;
  const used = usage(rows, rollups);
  const allowedErrors = (slo.errorRatePercent / 100) * used.requests;
  return {
    deployment: name,
    ...used,
    slo,
    errorRateBudgetLeftPercent: allowedErrors > 0 ? round(100 * (1 - used.errors / allowedErrors), 2) : null,
    availabilityPercent,
    monitoredSeconds: up.monitoredSeconds,
    downtimeSeconds: up.downtimeSeconds,
    errorBudgetLeftPercent: up.monitoredSeconds > 0 && allowed > 0 ? round(100 * (1 - up.downtimeSeconds / allowed), 2) : null,
    incidents: up.incidents,
    ttftMs: latencyPercentiles(
      rows.map((r) => r.ttftMs),
      rollups.map((r) => r.ttftHist),
    ),
    tpotMs: latencyPercentiles(
      rows.map((r) => r.tpotMs),
      rollups.map((r) => r.tpotHist),
    ),
  };
}

/** A request is an error when it failed on our side or the engine's: 5xx (engine stopped, timeout, …). */
export function isError(r: Pick<RequestRow, 'status'>): boolean {
  return r.status >= 500;
}

function usage(rows: RequestRow[], rollups: RollupRow[]): UsageFigures {
  let requests = rows.length;
  let errors = rows.filter(isError).length;
  let promptTokens = rows.reduce((s, r) => s + (r.promptTokens ?? 0), 0);
  let completionTokens = rows.reduce((s, r) => s + (r.completionTokens ?? 0), 0);
  for (const r of rollups) {
    requests += r.requests;
    errors += r.errors;
    promptTokens += r.promptTokens;
    completionTokens += r.completionTokens;
  }
  return { requests, errors, errorRatePercent: requests > 0 ? round((100 * errors) / requests, 4) : null, promptTokens, completionTokens };
}

function keyUsage(rows: RequestRow[], rollups: RollupRow[]): KeyReportUsage[] {
  const ids = new Set([...rows.map((r) => r.keyId), ...rollups.map((r) => r.keyId)]);
  return [...ids]
    .sort((a, b) => (a ?? '').localeCompare(b ?? ''))
    .map((keyId) => ({
      keyId,
      ...usage(
        rows.filter((r) => r.keyId === keyId),
        rollups.filter((r) => r.keyId === keyId),
      ),
    }));
}

function energyFigures(store: OpsStore, fromMs: number, toMs: number, monthEnd: number, tokens: number, c: CostSettings): EnergyFigures {
  const samples = store.hardware(fromMs, toMs);
  const gpu = gpuEnergyKwh(samples.filter((s) => s.device !== 'cpu'));
  const cpuKwhEstimate =
    c.cpuTdpWatts === null
      ? null
      : cpuEnergyKwhEstimate(
          samples.filter((s) => s.device === 'cpu'),
          c.cpuTdpWatts,
        );
  const cost = costOf({
    gpuKwh: gpu.total,
    cpuKwhEstimate: cpuKwhEstimate ?? 0,
    pricePerKwh: c.pricePerKwh,
    amortisationPerMonth: c.amortisationPerMonth,
    monthFraction: (toMs - fromMs) / (monthEnd - fromMs),
    tokens,
    referencePerMillionTokens: c.referencePricePerMillionTokens,
  });
  return { gpuKwh: gpu.total, cpuKwhEstimate, gpuMeasuredSeconds: gpu.measuredSeconds, currency: c.currency, ...cost, referencePerMillionTokens: c.referencePricePerMillionTokens };
}

function dailyFigures(rows: RequestRow[], rollups: RollupRow[]): DailyFigures[] {
  const days = new Map<string, { requests: number; errors: number; ttft: (number | null)[]; hists: Histogram[] }>();
  const at = (d: string) => days.get(d) ?? (days.set(d, { requests: 0, errors: 0, ttft: [], hists: [] }), days.get(d)!);
  for (const r of rows) {
    const d = at(day(r.timeMs));
    d.requests++;
    if (isError(r)) d.errors++;
    d.ttft.push(r.ttftMs);
  }
  for (const r of rollups) {
    const d = at(r.day);
    d.requests += r.requests;
    d.errors += r.errors;
    d.hists.push(r.ttftHist);
  }
  return [...days].sort(([a], [b]) => a.localeCompare(b)).map(([d, v]) => ({ day: d, requests: v.requests, errors: v.errors, ttftP95Ms: latencyPercentiles(v.ttft, v.hists).p95 }));
}

/**
 * Percentiles of raw values plus rolled-up days' histograms: exact (nearest rank) while no histogram
 * has counts, else read from one merged histogram (each value within ±1 %: latency-histogram.ts).
 */
export function latencyPercentiles(values: (number | null)[], hists: Histogram[]): Percentiles {
  if (!hists.some((h) => count(h) > 0)) return percentiles(values);
  const merged: Histogram = {};
  for (const h of hists) mergeInto(merged, h);
  for (const v of values) if (v !== null) addValue(merged, v);
  const at = (p: number) => {
    const v = percentileOf(merged, p);
    return v === null ? null : round(v, 3);
  };
  return { count: count(merged), p50: at(50), p95: at(95), p99: at(99) };
}

/** Nearest-rank percentiles (a value that was measured, never interpolated). */
export function percentiles(values: (number | null)[]): Percentiles {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  const at = (p: number) => (v.length ? round(v[Math.max(0, Math.ceil((p / 100) * v.length) - 1)]!, 3) : null);
  return { count: v.length, p50: at(50), p95: at(95), p99: at(99) };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
