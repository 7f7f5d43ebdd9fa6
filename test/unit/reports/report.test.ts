// The report's arithmetic on rows written to a real store: availability from samples (incidents,
// causes, the window's edges), nearest-rank percentiles, usage per key, the error budget, and the
// CSV and HTML renderings (the CSV parses back; HTML escapes what it shows).
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { availabilityOf, buildReport, monthWindow, percentiles } from '../../../electron/core/reports/report.js';
import { reportCsv, reportHtml, requestsJsonl } from '../../../electron/core/reports/render.js';
import { OpsStore } from '../../../electron/core/store/store.js';
import type { AvailabilityRow } from '../../../electron/core/store/types.js';
import { tempDir } from '../../helpers/tmp.js';

const SLO = { availabilityPercent: 99.5, ttftP95Ms: 500, errorRatePercent: 1 };
const T0 = Date.UTC(2026, 10, 10, 8);
const MIN = 60_000;
const sample = (min: number, status: AvailabilityRow['status'], reason: string | null = null): AvailabilityRow => ({ timeMs: T0 + min * MIN, deployment: 'm', status, reason });

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe('availabilityOf', () => {
  it('counts down and failed time as downtime, one incident per outage with the first cause', () => {
    const rows = [
      sample(0, 'loading'),
      sample(1, 'up'),
      sample(10, 'down', 'engine exited (signal SIGKILL)'),
      sample(12, 'up'),
      sample(20, 'down', 'engine stopped answering /health (3 probes)'),
      sample(20.5, 'down', 'killed as hung'),
      sample(21, 'up'),
      sample(30, 'stopped'),
    ];
    const a = availabilityOf(rows, T0 - 60 * MIN, T0 + 100 * MIN);
    expect(a.monitoredSeconds).toBe(100 * 60); // from the first sample to the window's end
    expect(a.downtimeSeconds).toBe(3 * 60);
    expect(a.incidents).toEqual([
      { deployment: 'm', start: new Date(T0 + 10 * MIN).toISOString(), end: new Date(T0 + 12 * MIN).toISOString(), durationSeconds: 120, kind: 'crash', cause: 'engine exited (signal SIGKILL)' },
      {
        deployment: 'm',
        start: new Date(T0 + 20 * MIN).toISOString(),
        end: new Date(T0 + 21 * MIN).toISOString(),
        durationSeconds: 60,
        kind: 'hung',
        cause: 'engine stopped answering /health (3 probes)',
      },
    ]);
  });

  it('starts an outage that began before the window at the window and leaves one still going open', () => {
    const a = availabilityOf([sample(-30, 'failed', 'gave up'), sample(40, 'up'), sample(50, 'down', 'crash')], T0, T0 + 60 * MIN);
    expect(a.downtimeSeconds).toBe(50 * 60);
    expect(a.incidents.map((i) => [i.start, i.end, i.kind])).toEqual([
      [new Date(T0).toISOString(), new Date(T0 + 40 * MIN).toISOString(), 'failed'],
      [new Date(T0 + 50 * MIN).toISOString(), null, 'crash'],
    ]);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank and ignores requests without the measurement', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles([...v, null])).toEqual({ count: 100, p50: 50, p95: 95, p99: 99 });
    expect(percentiles([null])).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });
});

describe('buildReport', () => {
  function store(): OpsStore {
    const d = tempDir();
    dirs.push(d);
    const s = new OpsStore(join(d.path, 'ops.sqlite'));
    s.recordAvailability(sample(0, 'up'));
    s.recordAvailability(sample(60, 'down', 'engine exited (signal SIGKILL): "quoted"'));
    s.recordAvailability(sample(61, 'up'));
    for (let i = 0; i < 20; i++) {
      s.recordRequest({
        timeMs: T0 + i * MIN,
        deployment: 'm',
        keyId: i % 2 ? 'key-a' : 'key-b',
        route: '/v1/chat/completions',
        status: i === 7 ? 502 : 200,
        outcome: i === 7 ? 'engine_failed' : 'completed',
        promptTokens: 3,
        completionTokens: i,
        ttftMs: 100 + i,
        tpotMs: 5,
        totalMs: 300,
      });
    }
    return s;
  }

  it('reports availability, the error budget, latency percentiles and usage per key for the month', () => {
    const s = store();
    const r = buildReport(s, '2026-11', SLO, T0 + 120 * MIN);
    s.close();
    expect(r.to).toBe(new Date(T0 + 120 * MIN).toISOString()); // the current month ends now
    const m = r.deployments[0]!;
    expect(m).toMatchObject({ deployment: 'm', monitoredSeconds: 7200, downtimeSeconds: 60, requests: 20, errors: 1, errorRatePercent: 5, promptTokens: 60, completionTokens: 190 });
    expect(m.availabilityPercent).toBeCloseTo(100 * (1 - 60 / 7200), 3);
    // Allowed: 0.5 % of 7200 s = 36 s; 60 s used.
    expect(m.errorBudgetLeftPercent).toBeCloseTo(100 * (1 - 60 / 36), 1);
    expect(m.ttftMs).toEqual({ count: 20, p50: 109, p95: 118, p99: 119 });
    expect(r.keys).toEqual([
      expect.objectContaining({ keyId: 'key-a', requests: 10, errors: 1, completionTokens: 100 }),
      expect.objectContaining({ keyId: 'key-b', requests: 10, errors: 0, completionTokens: 90 }),
    ]);
    expect(r.total.incidents).toHaveLength(1);
    expect(r.daily).toEqual([{ day: '2026-11-10', requests: 20, errors: 1, ttftP95Ms: 118 }]);
  });

  it('renders a CSV that parses back to the same figures, and HTML with every value escaped', () => {
    const s = store();
    const r = buildReport(s, '2026-11', SLO, T0 + 120 * MIN);
    s.close();
    const rows = parse(reportCsv(r), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.scope)).toEqual(['total', 'deployment', 'key', 'key', 'incident']);
    expect(rows[1]).toMatchObject({ name: 'm', requests: '20', errors: '1', ttft_p95_ms: '118' });
    expect(rows[4]).toMatchObject({ incident_kind: 'crash', incident_cause: 'engine exited (signal SIGKILL): "quoted"', downtime_seconds: '60' });
    const html = reportHtml(r);
    expect(html).toContain('engine exited (signal SIGKILL): &#34;quoted&#34;');
    expect(html).not.toContain('"quoted"');
  });

  it('exports the month’s request rows as JSON lines, metadata only', () => {
    const s = store();
    const lines = requestsJsonl(s, ...(Object.values(monthWindow('2026-11')) as [number, number]))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(requestsJsonl(s, ...(Object.values(monthWindow('2026-10')) as [number, number]))).toBe('');
    s.close();
    expect(lines).toHaveLength(20);
    expect(lines[7]).toEqual({
      time: new Date(T0 + 7 * MIN).toISOString(),
      deployment: 'm',
      keyId: 'key-a',
      route: '/v1/chat/completions',
      status: 502,
      outcome: 'engine_failed',
      promptTokens: 3,
      completionTokens: 7,
      ttftMs: 107,
      tpotMs: 5,
      totalMs: 300,
    });
  });

  it('reports GPU energy from power samples, no CPU estimate without a TDP, and the cost per million tokens', () => {
    const s = store();
    for (let i = 0; i <= 60; i++) s.recordHardware({ timeMs: T0 + i * MIN, device: 'gpu0', utilizationPercent: 50, memoryUsedBytes: 1, powerWatts: 100 });
    const r = buildReport(s, '2026-11', SLO, Date.UTC(2026, 11, 5), { pricePerKwh: 0.5, amortisationPerMonth: 30, referencePricePerMillionTokens: 2, cpuTdpWatts: null, currency: 'EUR' });
    s.close();
    expect(r.energy).toMatchObject({ gpuMeasuredSeconds: 3600, cpuKwhEstimate: null, amortisation: 30, currency: 'EUR' });
    expect(r.energy.gpuKwh).toBeCloseTo(0.1, 10);
    expect(r.energy.total).toBeCloseTo(30.05, 10);
    expect(r.energy.perMillionTokens).toBeCloseTo((30.05 / 250) * 1e6, 4); // 60 prompt + 190 completion tokens
    expect(r.energy.referenceCost).toBeCloseTo(0.0005, 10);
  });

  it('refuses a malformed month naming the field', () => {
    expect(() => monthWindow('2026-13')).toThrow(expect.objectContaining({ status: 400, param: 'month' }));
  });
});
