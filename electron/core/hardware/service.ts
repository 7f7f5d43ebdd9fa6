// The hardware service of the core: one cached snapshot (re-detected on demand) and the live monitor
// fed by the poller that fits the detected GPUs. An engine's devices are an engine fact
// (engines/facts.ts).
import type { GpuLiveReport, HardwareSnapshot } from '../../contract/index.js';
import { detectHardware, type DetectOptions } from './detect.js';
import { DEFAULT_POLL_INTERVAL_MS, HardwareMonitor, pollerFor, type LivePoller } from './monitor.js';

export interface HardwareServiceOptions {
  detect?: () => Promise<HardwareSnapshot>;
  detectOptions?: DetectOptions;
  pollIntervalMs?: number;
  /** Override the live poller (tests, benchmarks); default: pollerFor(snapshot). */
  poller?: LivePoller;
}

export class HardwareService {
  readonly monitor: HardwareMonitor;
  private readonly detect: () => Promise<HardwareSnapshot>;
  private current: Promise<HardwareSnapshot> | null = null;

  constructor(private readonly opts: HardwareServiceOptions = {}) {
    this.detect = opts.detect ?? (() => detectHardware(opts.detectOptions));
    this.monitor = new HardwareMonitor({ poll: () => this.pollLive(), intervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS });
  }

  /** The cached snapshot; `refresh` re-detects. Concurrent callers share one detection. */
  snapshot(opts: { refresh?: boolean } = {}): Promise<HardwareSnapshot> {
    if (!this.current || opts.refresh) {
      const job = this.detect();
      this.current = job;
      // A failed detection is not cached: the next caller tries again.
      job.catch(() => {
        if (this.current === job) this.current = null;
      });
    }
    return this.current;
  }

  /** Live GPU memory now: the monitor's latest sample while someone watches, else one poll. */
  live(): Promise<GpuLiveReport> {
    return Promise.resolve(this.monitor.latest() ?? this.pollLive());
  }

  private async pollLive(): Promise<GpuLiveReport> {
    const snap = await this.snapshot();
    const report = await (this.opts.poller ?? pollerFor(snap, this.opts.detectOptions?.env ? { env: this.opts.detectOptions.env } : {}))();
    // Tools number their own GPUs; report the snapshot's index (matched by UUID) where we can.
    const gpus = report.gpus.map((s) => {
      const g = s.uuid ? snap.gpus.find((x) => x.uuid === s.uuid) : undefined;
      return g ? { ...s, index: g.index } : s;
    });
    return { ...report, gpus };
  }
}
