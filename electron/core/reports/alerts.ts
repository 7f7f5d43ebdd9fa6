// Alerts: an outage began (down, hung, failed) or ended. Each is stored (the alert history), sent to
// the core's event stream (the desktop notification) and, when a webhook URL is set, POSTed as JSON
// with retries. The body carries the deployment, kind, time and the supervisor's redacted reason —
// never request content.
import { hostname } from 'node:os';
import type { Alert, CoreEvent } from '../../contract/index.js';
import type { OpsStore } from '../store/store.js';
import type { AlertRow } from '../store/types.js';

/** Waits before the 2nd, 3rd, 4th attempt. */
export const WEBHOOK_RETRY_MS = [1_000, 5_000, 30_000];
const WEBHOOK_TIMEOUT_MS = 5_000;

export interface AlertDeps {
  store: OpsStore;
  emit: (e: CoreEvent) => void;
  webhookUrl: () => string | null;
  retryDelaysMs?: number[];
  /** A line for the operator's log (a webhook that never answered). */
  log?: (line: string) => void;
}

export interface WebhookBody {
  type: 'llama-orch.alert';
  host: string;
  alert: Alert;
}

export class Alerts {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: AlertDeps) {}

  raise(row: AlertRow): void {
    this.deps.store.recordAlert(row);
    const alert: Alert = { time: new Date(row.timeMs).toISOString(), deployment: row.deployment, kind: row.kind, reason: row.reason };
    this.deps.emit({ type: 'alert', alert });
    const url = this.deps.webhookUrl();
    if (!url) return;
    const p = this.deliver(url, { type: 'llama-orch.alert', host: hostname(), alert }).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every webhook delivery under way has succeeded or given up (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async deliver(url: string, body: WebhookBody): Promise<void> {
    const delays = this.deps.retryDelaysMs ?? WEBHOOK_RETRY_MS;
    let last = '';
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]).unref());
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          redirect: 'error',
        });
        await res.body?.cancel();
        if (res.ok) return;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    this.deps.log?.(`alert webhook ${new URL(url).origin} did not accept the ${body.alert.kind} alert for ${body.alert.deployment} after ${delays.length + 1} attempts (${last})`);
  }
}
