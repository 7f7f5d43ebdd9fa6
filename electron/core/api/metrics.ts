// Prometheus metrics at GET /metrics: requests, latencies, tokens, queueing, cancellations, engine
// restarts and states, plus each ready engine's own /metrics folded in with a `model` label.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ENGINE_PATHS, type GpuLiveReport, type HardwareSnapshot, type InstanceInfo, type RunningPlacement } from '../../contract/index.js';
import { request as httpRequest } from 'node:http';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const TPOT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1];

export interface MetricsSources {
  instances(): InstanceInfo[];
  queueDepth(model: string): number;
  engineKey(instanceId: string): string | null;
  /** Extra gauges (e.g. VRAM per device) written by other modules at scrape time. */
  collectExtra?(registry: Registry): Promise<void> | void;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'llama_orch_requests_total',
    help: 'Inference requests by model, route, status and outcome',
    labelNames: ['model', 'route', 'status', 'outcome'],
    registers: [this.registry],
  });
  readonly ttfb = new Histogram({
    name: 'llama_orch_time_to_first_byte_seconds',
    help: 'Time from request to the first byte of the answer',
    labelNames: ['model'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: 'llama_orch_time_to_first_token_seconds',
    help: 'Time from the request arriving to the first generated token of a streamed answer (queue and load included)',
    labelNames: ['model'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly tpot = new Histogram({
    name: 'llama_orch_time_per_output_token_seconds',
    help: 'Time per output token after the first',
    labelNames: ['model'],
    buckets: TPOT_BUCKETS,
    registers: [this.registry],
  });
  readonly keyRequests = new Counter({
    name: 'llama_orch_key_requests_total',
    help: 'Inference requests per API key id (never the key itself; (none) without a key)',
    labelNames: ['key'],
    registers: [this.registry],
  });
  readonly keyTokens = new Counter({ name: 'llama_orch_key_tokens_total', help: 'Prompt plus completion tokens per API key id', labelNames: ['key'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'llama_orch_request_duration_seconds', help: 'Total request time', labelNames: ['model', 'route'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly tokensIn = new Counter({ name: 'llama_orch_prompt_tokens_total', help: 'Prompt tokens processed', labelNames: ['model'], registers: [this.registry] });
  readonly tokensOut = new Counter({ name: 'llama_orch_completion_tokens_total', help: 'Completion tokens generated', labelNames: ['model'], registers: [this.registry] });
  readonly cancellations = new Counter({
    name: 'llama_orch_cancellations_total',
    help: 'Requests ended early by the client or an explicit cancel',
    labelNames: ['model', 'how'],
    registers: [this.registry],
  });
  readonly logWriteFailures = new Counter({
    name: 'llama_orch_log_write_failures_total',
    help: 'Request/audit log writes that failed (full or read-only disk); requests are still served',
    registers: [this.registry],
  });
  private readonly queue = new Gauge({ name: 'llama_orch_queue_depth', help: 'Requests waiting for a slot', labelNames: ['model'], registers: [this.registry] });
  private readonly restarts = new Gauge({ name: 'llama_orch_engine_restarts', help: 'Engine restarts since the instance was created', labelNames: ['model', 'instance'], registers: [this.registry] });
  private readonly hangs = new Gauge({
    name: 'llama_orch_engine_hangs',
    help: 'Times a ready engine stopped answering /health and was killed (liveness probe)',
    labelNames: ['model', 'instance'],
    registers: [this.registry],
  });
  private readonly states = new Gauge({ name: 'llama_orch_instance_state', help: '1 for the current state of each instance', labelNames: ['model', 'instance', 'state'], registers: [this.registry] });

  constructor(private readonly sources: MetricsSources) {}

  async render(): Promise<string> {
    this.queue.reset();
    this.restarts.reset();
    this.hangs.reset();
    this.states.reset();
    const instances = this.sources.instances();
    for (const i of instances) {
      this.queue.set({ model: i.modelId }, this.sources.queueDepth(i.modelId));
      this.restarts.set({ model: i.modelId, instance: i.id }, i.restarts);
      this.hangs.set({ model: i.modelId, instance: i.id }, i.hangs ?? 0);
      this.states.set({ model: i.modelId, instance: i.id, state: i.state }, 1);
    }
    await this.sources.collectExtra?.(this.registry);
    const own = await this.registry.metrics();
    const engines = await Promise.all(instances.filter((i) => i.state === 'ready' && i.port).map((i) => this.engineMetrics(i)));
    return own + engines.join('');
  }

  /** The engine's own metrics (llamacpp:*), relabelled with the model. Failures are skipped. */
  private engineMetrics(i: InstanceInfo): Promise<string> {
    const key = this.sources.engineKey(i.id);
    return new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: i.port!, path: ENGINE_PATHS.metrics, agent: false, headers: key ? { authorization: `Bearer ${key}` } : {}, timeout: 2000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(res.statusCode === 200 ? relabel(text, i.modelId) : ''));
        res.on('error', () => resolve(''));
      });
      req.on('error', () => resolve(''));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
}

/** Add model="…" to every sample line and rename `llamacpp:x` to `llamacpp_x` (valid names). */
export function relabel(text: string, model: string): string {
  const label = `model="${model.replace(/["\\\n]/g, '_')}"`;
  return (
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const line = l.replace(/llamacpp:/g, 'llamacpp_');
        if (line.startsWith('#')) return line;
        const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(.*)$/.exec(line);
        if (!m) return line;
        const labels = m[2] ? `{${label},${m[2].slice(1)}` : `{${label}}`;
        return `${m[1]}${labels} ${m[3]}`;
      })
      .join('\n') + '\n'
  );
}

/** 1 while a deployment is up (or unloaded, loading on demand), 0 while it is down, hung or failed. */
export function collectAvailability(registry: Registry, available: Map<string, number>): void {
  const name = 'llama_orch_deployment_available';
  const g =
    (registry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help: 'Deployment availability now: 1 up or loadable, 0 in an outage (down, hung, failed)', labelNames: ['deployment'], registers: [registry] });
  g.reset();
  for (const [deployment, v] of available) g.set({ deployment }, v);
}

/**
 * VRAM per device (live sample) and what each instance's plan holds there. Gauges are created once
 * per registry and reset on every scrape, so a GPU or instance that is gone disappears.
 */
export async function collectDeviceMetrics(
  registry: Registry,
  hardware: { snapshot(): Promise<HardwareSnapshot>; live(): Promise<GpuLiveReport> },
  models: { runningPlacements(): RunningPlacement[] },
): Promise<void> {
  const gauge = (name: string, help: string, labelNames: string[]) => (registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
  const total = gauge('llama_orch_gpu_vram_total_bytes', 'GPU memory, total', ['gpu', 'name']);
  const used = gauge('llama_orch_gpu_vram_used_bytes', 'GPU memory in use (all processes)', ['gpu', 'name']);
  const util = gauge('llama_orch_gpu_utilization_percent', 'GPU utilisation', ['gpu', 'name']);
  const planned = gauge('llama_orch_instance_planned_bytes', 'Memory an instance was placed with, per device', ['instance', 'device']);
  for (const g of [total, used, util, planned]) g.reset();
  for (const p of models.runningPlacements()) for (const [device, bytes] of Object.entries(p.bytesByDevice)) planned.set({ instance: p.instanceId, device }, bytes);
  const snap = await hardware.snapshot().catch(() => null);
  if (!snap || snap.gpus.length === 0) return;
  const live = await hardware.live().catch(() => null);
  for (const gpu of snap.gpus) {
    const s = live?.gpus.find((x) => x.index === gpu.index);
    const labels = { gpu: String(gpu.index), name: gpu.name };
    const t = s?.vramTotalBytes ?? gpu.vramTotalBytes;
    const u = s?.vramUsedBytes ?? gpu.vramUsedBytes;
    if (t != null) total.set(labels, t);
    if (u != null) used.set(labels, u);
    if (s?.utilizationPercent != null) util.set(labels, s.utilizationPercent);
  }
}
