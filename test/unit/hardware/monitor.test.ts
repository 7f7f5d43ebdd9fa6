// HardwareMonitor: polls only while subscribed, never overlaps polls, stops when the last one leaves.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GpuLiveReport } from '../../../electron/contract/index.js';
import { HardwareMonitor } from '../../../electron/core/hardware/monitor.js';

function report(n: number): GpuLiveReport {
  return {
    sampledAt: new Date(n).toISOString(),
    gpus: [{ index: 0, uuid: null, vramTotalBytes: 100, vramUsedBytes: n, vramFreeBytes: 100 - n, utilizationPercent: null, temperatureC: null, powerWatts: null }],
    warnings: [],
  };
}

describe('HardwareMonitor', () => {
  afterEach(() => vi.useRealTimers());

  it('runs no poll until someone subscribes, and none after the last unsubscribes', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const monitor = new HardwareMonitor({ poll: async () => report(++calls), intervalMs: 2000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(0);
    expect(monitor.active).toBe(false);

    const seen: number[] = [];
    const off = monitor.subscribe((r) => seen.push(r.gpus[0]!.vramUsedBytes!));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]); // first report right away
    await vi.advanceTimersByTimeAsync(4000);
    expect(seen).toEqual([1, 2, 3]); // then every 2 s
    expect(monitor.latest()?.gpus[0]!.vramUsedBytes).toBe(3);

    off();
    expect(monitor.active).toBe(false);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toBe(3);
    off(); // twice is harmless
    expect(monitor.subscribers).toBe(0);
  });

  it('keeps one loop for many subscribers and stops only when all have left', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const monitor = new HardwareMonitor({ poll: async () => report(++calls), intervalMs: 1000 });
    const a: number[] = [];
    const b: number[] = [];
    const offA = monitor.subscribe(() => a.push(calls));
    const offB = monitor.subscribe(() => b.push(calls));
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(3);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3]);
    offA();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(4);
    offB();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(4);
  });

  it('never overlaps polls: a slow poll delays the next one instead of stacking', async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    const monitor = new HardwareMonitor({
      intervalMs: 100,
      poll: async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise((r) => setTimeout(r, 350));
        running--;
        return report(0);
      },
    });
    const off = monitor.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(2000);
    off();
    expect(maxRunning).toBe(1);
    expect(monitor.pollCount).toBe(5); // 2000 ms / (350 ms poll + 100 ms pause)
  });

  it('turns a throwing poller into a report with a warning and keeps polling', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const monitor = new HardwareMonitor({ intervalMs: 500, poll: async () => (++calls === 1 ? Promise.reject(new Error('boom')) : report(calls)) });
    const seen: GpuLiveReport[] = [];
    const off = monitor.subscribe((r) => seen.push(r));
    await vi.advanceTimersByTimeAsync(500);
    off();
    expect(seen[0]!.warnings).toEqual([{ source: 'os', message: 'live poll failed: boom' }]);
    expect(seen[1]!.gpus).toHaveLength(1);
  });

  it('delivers nothing from a poll that finishes after the last subscriber left', async () => {
    let release!: () => void;
    const monitor = new HardwareMonitor({ poll: () => new Promise((r) => (release = () => r(report(7)))) });
    const seen: unknown[] = [];
    const off = monitor.subscribe((r) => seen.push(r));
    off();
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([]);
    expect(monitor.active).toBe(false);
  });
});
