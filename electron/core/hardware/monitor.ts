// Live GPU memory (and utilisation / temperature where the tool says) polled on an interval, but only
// while someone is subscribed: no subscribers, no timer, no child processes.
import type { GpuLiveReport, HardwareSnapshot } from '../../contract/index.js';
import { Listeners } from '../util/emitter.js';
import { parseRocmSmiJson } from './amd.js';
import { NVIDIA_LIVE_FIELDS, nvidiaSmiBinary, nvidiaSmiCsvArgs, parseNvidiaSmiLive } from './nvidia.js';
import { runTool, type RunToolOptions } from './run-tool.js';

export type LivePoller = () => Promise<GpuLiveReport>;

export const DEFAULT_POLL_INTERVAL_MS = 2000;

export interface MonitorOptions {
  poll: LivePoller;
  intervalMs?: number;
}

/**
 * Owns the polling loop. Invariants: a poll runs only while `subscribers > 0`; polls never overlap
 * (the next one is scheduled when the previous one has finished); a poll finishing after the last
 * unsubscribe delivers to nobody and schedules nothing.
 */
export class HardwareMonitor {
  private readonly listeners = new Listeners<GpuLiveReport>();
  private readonly poll: LivePoller;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private last: GpuLiveReport | null = null;
  private polls = 0;

  constructor(opts: MonitorOptions) {
    this.poll = opts.poll;
    this.intervalMs = opts.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Start receiving reports (the first one as soon as a poll finishes); returns the unsubscribe. */
  subscribe(listener: (report: GpuLiveReport) => void): () => void {
    const off = this.listeners.subscribe(listener);
    if (this.listeners.count === 1 && !this.timer && !this.inFlight) void this.tick();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      if (this.listeners.count === 0) this.halt();
    };
  }

  get subscribers(): number {
    return this.listeners.count;
  }

  /** Whether a poll is scheduled or running. */
  get active(): boolean {
    return this.timer !== null || this.inFlight;
  }

  get pollCount(): number {
    return this.polls;
  }

  latest(): GpuLiveReport | null {
    return this.last;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.listeners.count === 0) return;
    this.inFlight = true;
    this.polls++;
    let report: GpuLiveReport;
    try {
      report = await this.poll();
    } catch (err) {
      report = { sampledAt: new Date().toISOString(), gpus: [], warnings: [{ source: 'os', message: `live poll failed: ${(err as Error).message}` }] };
    }
    this.inFlight = false;
    if (this.listeners.count === 0) return;
    this.last = report;
    this.listeners.emit(report);
    if (this.listeners.count > 0 && !this.timer) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The cheap NVIDIA poll: one `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`. */
export async function pollNvidia(opts: RunToolOptions = {}): Promise<GpuLiveReport> {
  const sampledAt = new Date().toISOString();
  const r = await runTool(nvidiaSmiBinary(), nvidiaSmiCsvArgs(NVIDIA_LIVE_FIELDS), { timeoutMs: 3000, ...opts });
  if (!r.ok) return { sampledAt, gpus: [], warnings: [{ source: 'nvidia-smi-csv', message: r.reason }] };
  try {
    return { sampledAt, gpus: parseNvidiaSmiLive(r.stdout), warnings: [] };
  } catch (err) {
    return { sampledAt, gpus: [], warnings: [{ source: 'nvidia-smi-csv', message: `unreadable output: ${(err as Error).message}` }] };
  }
}

/** AMD: rocm-smi's VRAM figures (no utilisation/temperature asked, to keep it cheap). */
export async function pollRocm(opts: RunToolOptions = {}): Promise<GpuLiveReport> {
  const sampledAt = new Date().toISOString();
  const r = await runTool('rocm-smi', ['--showmeminfo', 'vram', '--showuniqueid', '--json'], { timeoutMs: 3000, ...opts });
  if (!r.ok) return { sampledAt, gpus: [], warnings: [{ source: 'rocm-smi-json', message: r.reason }] };
  try {
    const gpus = parseRocmSmiJson(r.stdout).gpus.map((g, index) => ({
      index,
      uuid: g.uuid,
      vramTotalBytes: g.vramTotalBytes,
      vramUsedBytes: g.vramUsedBytes,
      vramFreeBytes: g.vramFreeBytes,
      utilizationPercent: null,
      temperatureC: null,
      powerWatts: null,
    }));
    return { sampledAt, gpus, warnings: [] };
  } catch (err) {
    return { sampledAt, gpus: [], warnings: [{ source: 'rocm-smi-json', message: `unreadable output: ${(err as Error).message}` }] };
  }
}

/** The poller that fits the detected GPUs; none to poll → reports with no GPUs, no tool run. */
export function pollerFor(snapshot: HardwareSnapshot, opts: RunToolOptions = {}): LivePoller {
  if (snapshot.gpus.some((g) => g.vendor === 'nvidia' && g.backends.includes('cuda'))) return () => pollNvidia(opts);
  if (snapshot.gpus.some((g) => g.sources.includes('rocm-smi-json'))) return () => pollRocm(opts);
  return async () => ({ sampledAt: new Date().toISOString(), gpus: [], warnings: [] });
}
