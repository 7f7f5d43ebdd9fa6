// The multiwindow burn-rate alert on a fake clock: fires once when both the long and the short
// window burn faster than the threshold, not on a short spike inside a clean hour, not below the
// minimum traffic, not with a 0 % target; fires again only after the burn stopped.
import { afterEach, describe, expect, it } from 'vitest';
import { BurnRateMonitor } from '../../../electron/core/reports/burn-rate.js';
import type { AlertRow } from '../../../electron/core/store/types.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 10, 8);

function monitor(target = 1) {
  let now = T0;
  const alerts: AlertRow[] = [];
  const m = new BurnRateMonitor({ targetPercent: () => target, raise: (a) => alerts.push(a), now: () => now });
  const send = (n: number, status: number, spreadMs = 0) => {
    for (let i = 0; i < n; i++) {
      now += spreadMs;
      m.record({ timeMs: now, deployment: 'chat', status });
      now += 1_000; // past the evaluation throttle
    }
  };
  return { m, alerts, send, advance: (ms: number) => (now += ms) };
}

describe('BurnRateMonitor', () => {
  const made: BurnRateMonitor[] = [];
  afterEach(() => made.splice(0).forEach((m) => m.close()));

  it('alerts once when a long and a short window both burn above their threshold, with the figures in the reason', () => {
    const { m, alerts, send } = monitor();
    made.push(m);
    send(20, 200);
    send(1, 504);
    expect(alerts).toEqual([]); // 1 of 21 = 4.8 %: 4.8×, under both thresholds
    send(1, 504); // 2 of 22 = 9.1 %: above 6× over 6 h and 30 min
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ deployment: 'chat', kind: 'budget-burn' });
    expect(alerts[0]!.reason).toBe(
      'errors are using the error budget 9.1× as fast as the 1 % target allows: 9.1 % of 22 requests failed in the last 30 min, 9.1 % of 22 requests in the last 6 h (alert at 6×)',
    );
    send(10, 504);
    expect(alerts).toHaveLength(1); // still the same burn
  });

  it('alerts on the 1 h / 5 min pair at 14.4× when it is the only pair', () => {
    let now = T0;
    const alerts: AlertRow[] = [];
    const m = new BurnRateMonitor({ targetPercent: () => 1, raise: (a) => alerts.push(a), now: () => now, windows: [{ longMs: 60 * MIN, shortMs: 5 * MIN, factor: 14.4 }] });
    made.push(m);
    for (let i = 0; i < 19; i++) m.record({ timeMs: (now += 1_000), deployment: 'chat', status: i >= 17 ? 502 : 200 });
    expect(alerts).toEqual([]); // 2 of 19 = 10.5 %
    m.record({ timeMs: (now += 1_000), deployment: 'chat', status: 502 }); // 3 of 20 = 15 %
    expect(alerts[0]!.reason).toMatch(/in the last 5 min, .* in the last 1 h \(alert at 14\.4×\)$/);
  });

  it('stays quiet for a spike in a clean hour, for too few requests and without a budget', () => {
    const quiet = monitor();
    made.push(quiet.m);
    quiet.send(2000, 200, 1_000); // ~67 min of clean traffic
    quiet.send(12, 504); // 5 min: 12 of ~300 fail = 4 % = 4× < 14.4 in the short window too
    expect(quiet.alerts).toEqual([]);
    const few = monitor();
    made.push(few.m);
    few.send(5, 504);
    expect(few.alerts).toEqual([]);
    const none = monitor(0);
    made.push(none.m);
    none.send(30, 504);
    expect(none.alerts).toEqual([]);
  });

  it('fires again after the burn stopped and started over', () => {
    const { m, alerts, send, advance } = monitor();
    made.push(m);
    send(15, 504);
    expect(alerts).toHaveLength(1);
    advance(7 * 60 * MIN); // past every window
    send(15, 200);
    send(15, 504);
    expect(alerts).toHaveLength(2);
  });
});
