// Turns the supervisor's instance events into availability samples and supervisor events in the
// store. The instance id is the deployment name. Only unexpected ends count as downtime: a crash or
// a hang (down until ready again) and giving up (failed); an unload on purpose is `stopped`.
import type { CoreEvent, InstanceState } from '../../contract/index.js';
import { redactEngineLine } from '../util/redact.js';
import type { OpsStore } from './store.js';
import type { AlertRow, AvailabilityStatus, EventKind } from './types.js';

export class AvailabilityRecorder {
  /** The last state seen per deployment, to tell a restart after a crash from a first start. */
  private readonly last = new Map<string, InstanceState>();
  /** Deployments in an outage (down or failed since their last `up`): one alert per outage. */
  private readonly down = new Set<string>();
  /** An outage began or ended (alerts: notification, webhook). */
  onAlert: ((alert: AlertRow) => void) | null = null;

  constructor(
    private readonly store: OpsStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Each deployment's availability now: 1 up or stopped (loads on demand), 0 in an outage (the /metrics gauge). */
  available(): Map<string, number> {
    return new Map([...this.last.keys()].map((d) => [d, this.down.has(d) ? 0 : 1]));
  }

  onEvent(e: CoreEvent): void {
    if (e.type === 'instance.hung') {
      this.write(e.instance.id, 'hung', 'down', e.reason, e.since ? Date.parse(e.since) : undefined);
      return;
    }
    if (e.type !== 'instance.state') return;
    const { id, state, reason } = e.instance;
    const before = this.last.get(id);
    this.last.set(id, state);
    const row = transition(before, state);
    if (row) this.write(id, row.kind, row.status, row.withReason ? reason : null);
  }

  /** Something outside the supervisor ended a deployment's engine (placement evicted it). */
  evicted(deployment: string, reason: string): void {
    this.store.recordEvent({ timeMs: this.now(), deployment, kind: 'evict', reason });
  }

  private write(deployment: string, kind: EventKind, status: AvailabilityStatus, raw: string | null, at?: number): void {
    const timeMs = at ?? this.now();
    // A crash reason quotes the engine's last line: only its redacted form is kept (reports leave the process).
    const reason = raw === null ? null : redactEngineLine(raw);
    this.store.recordEvent({ timeMs, deployment, kind, reason });
    this.store.recordAvailability({ timeMs, deployment, status, reason });
    this.alertOn(deployment, kind, status, reason, timeMs);
  }

  private alertOn(deployment: string, kind: EventKind, status: AvailabilityStatus, reason: string | null, timeMs: number): void {
    const raise = (k: AlertRow['kind']) => this.onAlert?.({ timeMs, deployment, kind: k, reason });
    if (status === 'up' && this.down.delete(deployment)) return raise('recovered');
    if (status === 'failed') {
      this.down.add(deployment);
      return raise('failed');
    }
    if (status === 'down' && !this.down.has(deployment)) {
      this.down.add(deployment);
      raise(kind === 'hung' ? 'hung' : 'down');
    }
  }
}

function transition(before: InstanceState | undefined, state: InstanceState): { kind: EventKind; status: AvailabilityStatus; withReason: boolean } | null {
  switch (state) {
    case 'ready':
      return { kind: 'ready', status: 'up', withReason: false };
    case 'starting':
      // From ready straight to starting is the supervisor restarting a crashed (or hung) engine.
      return before === 'ready' ? { kind: 'crash', status: 'down', withReason: true } : { kind: 'start', status: 'loading', withReason: false };
    case 'failed':
      return { kind: 'failed', status: 'failed', withReason: true };
    case 'stopped':
      return { kind: 'stop', status: 'stopped', withReason: false };
    case 'stopping':
      return null;
  }
}
