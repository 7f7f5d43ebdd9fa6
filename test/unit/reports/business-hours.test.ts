// Business hours and time zones: wall-clock → UTC across daylight-saving changes (Europe/Berlin,
// America/New_York), the hours windows of a month, and availability and error budgets of a report
// counted only inside them, with per-deployment targets overriding the global ones.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { businessWindows, localToUtc, secondsWithin, zonedMonth } from '../../../electron/core/reports/business-hours.js';
import { buildReport, monthWindow, type SloPolicy } from '../../../electron/core/reports/report.js';
import { sloFrom } from '../../../electron/core/reports/slo-settings.js';
import { DEFAULT_SETTINGS, SettingsStore } from '../../../electron/core/settings/settings.js';
import { OpsStore } from '../../../electron/core/store/store.js';
import { tempDir } from '../../helpers/tmp.js';

const H = 3_600_000;
const BERLIN = 'Europe/Berlin';
const WEEKDAYS_9_TO_17 = { days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' };

describe('localToUtc', () => {
  it('uses the offset in force at that wall-clock time, on both sides of the changes', () => {
    expect(localToUtc(BERLIN, 2026, 3, 28, 9 * 60)).toBe(Date.UTC(2026, 2, 28, 8)); // CET, +1
    expect(localToUtc(BERLIN, 2026, 3, 29, 9 * 60)).toBe(Date.UTC(2026, 2, 29, 7)); // CEST since 01:00 UTC, +2
    expect(localToUtc(BERLIN, 2026, 10, 25, 9 * 60)).toBe(Date.UTC(2026, 9, 25, 8)); // back to CET
    expect(localToUtc('America/New_York', 2026, 3, 8, 9 * 60)).toBe(Date.UTC(2026, 2, 8, 13)); // EDT, −4
    expect(localToUtc('UTC', 2026, 12, 32, 0)).toBe(Date.UTC(2027, 0, 1)); // day overflow is the next month
  });

  it('reads a skipped time with the offset before the change and a repeated one as its first occurrence', () => {
    expect(localToUtc(BERLIN, 2026, 3, 29, 2 * 60 + 30)).toBe(Date.UTC(2026, 2, 29, 1, 30)); // 02:30 does not exist: 03:30 CEST
    expect(localToUtc(BERLIN, 2026, 10, 25, 2 * 60 + 30)).toBe(Date.UTC(2026, 9, 25, 0, 30)); // 02:30 CEST, the first one
  });
});

describe('businessWindows', () => {
  it('makes a whole-day window 23 h when clocks go forward and 25 h when they go back', () => {
    const allDay = { days: [0, 1, 2, 3, 4, 5, 6], from: '00:00', to: '24:00' };
    const march = monthWindow('2026-03', BERLIN);
    const w = businessWindows(march.fromMs, march.toMs, allDay, BERLIN);
    expect(w).toHaveLength(31);
    const sunday29 = w[28]!;
    expect((sunday29[1] - sunday29[0]) / H).toBe(23);
    expect(secondsWithin(w, march.fromMs, march.toMs) / 3600).toBe(31 * 24 - 1);
    const october = monthWindow('2026-10', BERLIN);
    expect(secondsWithin(businessWindows(october.fromMs, october.toMs, allDay, BERLIN), october.fromMs, october.toMs) / 3600).toBe(31 * 24 + 1);
  });

  it('counts weekdays 09:00–17:00 local, moving by an hour in UTC across the change', () => {
    const mar = monthWindow('2026-03', BERLIN);
    const w = businessWindows(mar.fromMs, mar.toMs, WEEKDAYS_9_TO_17, BERLIN);
    expect(w).toHaveLength(22); // March 2026 has 22 weekdays
    expect(w.find(([s]) => s >= Date.UTC(2026, 2, 27) && s < Date.UTC(2026, 2, 28))).toEqual([Date.UTC(2026, 2, 27, 8), Date.UTC(2026, 2, 27, 16)]); // Fri, CET
    expect(w.find(([s]) => s >= Date.UTC(2026, 2, 30) && s < Date.UTC(2026, 2, 31))).toEqual([Date.UTC(2026, 2, 30, 7), Date.UTC(2026, 2, 30, 15)]); // Mon, CEST
    // The same UTC half hour is before opening on the Friday and inside it on the Monday.
    expect(secondsWithin(w, Date.UTC(2026, 2, 27, 7, 30), Date.UTC(2026, 2, 27, 8))).toBe(0);
    expect(secondsWithin(w, Date.UTC(2026, 2, 30, 7, 30), Date.UTC(2026, 2, 30, 8))).toBe(1800);
  });

  it('starts a zone’s month at its local midnight and knows its current month', () => {
    expect(monthWindow('2026-11', BERLIN)).toEqual({ fromMs: Date.UTC(2026, 9, 31, 23), toMs: Date.UTC(2026, 10, 30, 23) });
    expect(zonedMonth(Date.UTC(2026, 10, 30, 23, 30), BERLIN)).toBe('2026-12');
    expect(zonedMonth(Date.UTC(2026, 10, 30, 23, 30), 'UTC')).toBe('2026-11');
  });
});

describe('a report with business hours and per-deployment targets', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('counts only downtime inside business hours and measures each deployment against its own targets', () => {
    const d = tempDir();
    dirs.push(d);
    const s = new OpsStore(join(d.path, 'ops.sqlite'));
    const mon = Date.UTC(2026, 2, 30); // Monday, CEST: business hours 07:00–15:00 UTC
    for (const name of ['a', 'b']) s.recordAvailability({ timeMs: mon, deployment: name, status: 'up', reason: null });
    // a: down 05:00–08:00 UTC (one hour of it in business hours); b: down overnight only.
    s.recordAvailability({ timeMs: mon + 5 * H, deployment: 'a', status: 'down', reason: 'engine exited (signal SIGKILL)' });
    s.recordAvailability({ timeMs: mon + 8 * H, deployment: 'a', status: 'up', reason: null });
    s.recordAvailability({ timeMs: mon + 1 * H, deployment: 'b', status: 'down', reason: 'engine stopped answering' });
    s.recordAvailability({ timeMs: mon + 3 * H, deployment: 'b', status: 'up', reason: null });
    for (let i = 0; i < 10; i++)
      s.recordRequest({
        timeMs: mon + 10 * H + i,
        deployment: 'b',
        keyId: null,
        route: '/v1/chat/completions',
        status: i < 2 ? 502 : 200,
        outcome: 'completed',
        promptTokens: 1,
        completionTokens: 1,
        ttftMs: 10,
        tpotMs: 1,
        totalMs: 20,
      });
    const policy: SloPolicy = { availabilityPercent: 99, ttftP95Ms: 500, errorRatePercent: 1, timeZone: BERLIN, businessHours: WEEKDAYS_9_TO_17, byDeployment: { b: { errorRatePercent: 40 } } };
    const r = buildReport(s, '2026-03', policy, mon + 24 * H);
    s.close();
    const [a, b] = r.deployments;
    expect(a).toMatchObject({ deployment: 'a', monitoredSeconds: 8 * 3600, downtimeSeconds: 3600, slo: { errorRatePercent: 1 } });
    expect(a!.incidents[0]).toMatchObject({ durationSeconds: 3 * 3600, kind: 'crash' }); // listed whole
    expect(a!.availabilityPercent).toBeCloseTo(87.5, 3);
    expect(a!.errorBudgetLeftPercent).toBeCloseTo(100 * (1 - 3600 / (0.01 * 8 * 3600)), 1);
    expect(b).toMatchObject({ deployment: 'b', downtimeSeconds: 0, availabilityPercent: 100, slo: { errorRatePercent: 40, availabilityPercent: 99 } });
    // b may fail 40 % of 10 requests = 4; it failed 2.
    expect(b!.errorRateBudgetLeftPercent).toBe(50);
    expect(r).toMatchObject({ timeZone: BERLIN, businessHours: WEEKDAYS_9_TO_17, slo: { errorRatePercent: 1 } });
    expect(r.from).toBe(new Date(Date.UTC(2026, 1, 28, 23)).toISOString());
  });
});

describe('SLO settings', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const settings = () => {
    const d = tempDir();
    dirs.push(d);
    return new SettingsStore(join(d.path, 'settings.json'));
  };

  it('keeps business hours, the time zone and per-deployment overrides, and the report reads them', () => {
    const s = settings();
    s.update({ reports: { businessHours: WEEKDAYS_9_TO_17, timeZone: BERLIN, deploymentSlos: { qwen: { ttftP95TargetMs: 800 } } } });
    const policy = sloFrom(s.get().reports);
    expect(policy).toMatchObject({
      availabilityPercent: DEFAULT_SETTINGS.reports.availabilityTargetPercent,
      timeZone: BERLIN,
      businessHours: WEEKDAYS_9_TO_17,
      byDeployment: { qwen: { ttftP95Ms: 800 } },
    });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'reports.timeZone'],
    [{ businessHours: { days: [1], from: '17:00', to: '09:00' } }, 'reports.businessHours.to'],
    [{ businessHours: { days: [7], from: '09:00', to: '17:00' } }, 'reports.businessHours.days.0'],
    [{ businessHours: { days: [1], from: '9am', to: '17:00' } }, 'reports.businessHours.from'],
    [{ deploymentSlos: { qwen: { availabilityTargetPercent: 100 } } }, 'reports.deploymentSlos.qwen.availabilityTargetPercent'],
    [{ deploymentSlos: { qwen: { latency: 5 } } }, 'reports.deploymentSlos.qwen'],
  ])('refuses %j naming the field %s and keeps the old value', (patch, field) => {
    const s = settings();
    let thrown: unknown;
    try {
      s.update({ reports: patch } as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ status: 400, param: field });
    expect(s.get().reports).toEqual(DEFAULT_SETTINGS.reports);
  });
});
