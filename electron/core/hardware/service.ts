// The hardware service of the core: one cached snapshot (re-detected on demand), the live monitor fed
// by the poller that fits the detected GPUs, and the engine device mapping per engine binary.
import type { EngineDevice, GpuLiveReport, HardwareSnapshot, HardwareWarning } from '../../contract/index.js';
import { detectHardware, type DetectOptions } from './detect.js';
import { listEngineDevices } from './engine-devices.js';
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
  private readonly engineDeviceCache = new Map<string, Promise<{ devices: EngineDevice[]; warnings: HardwareWarning[] }>>();

  constructor(private readonly opts: HardwareServiceOptions = {}) {
    this.detect = opts.detect ?? (() => detectHardware(opts.detectOptions));
    this.monitor = new HardwareMonitor({ poll: () => this.pollLive(), intervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS });
  }

  /** The cached snapshot; `refresh` re-detects. Concurrent callers share one detection. */
  snapshot(opts: { refresh?: boolean } = {}): Promise<HardwareSnapshot> {
    if (!this.current || opts.refresh) {
      const job = this.detect();
      this.current = job;
      this.engineDeviceCache.clear();
      // A failed detection is not cached: the next caller tries again.
      job.catch(() => {
        if (this.current === job) this.current = null;
      });
    }
    return this.current;
  }

  /** `llama-server --list-devices` of one engine, matched to the snapshot's GPUs (cached per binary). */
  engineDevices(enginePath: string): Promise<{ devices: EngineDevice[]; warnings: HardwareWarning[] }> {
    let job = this.engineDeviceCache.get(enginePath);
    if (!job) {
      job = this.snapshot().then((s) => listEngineDevices(enginePath, s.gpus));
      this.engineDeviceCache.set(enginePath, job);
    }
    return job;
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
