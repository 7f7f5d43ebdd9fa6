// Server-sent events on GET /api/v1/events. `type` discriminates; payloads are contract types.
import type { InstanceInfo } from './instances.js';
import type { Alert } from './reports.js';

export interface InstanceStateEvent {
  type: 'instance.state';
  instance: InstanceInfo;
}

/** A ready engine stopped answering /health and was killed; it restarts with backoff. */
export interface InstanceHungEvent {
  type: 'instance.hung';
  instance: InstanceInfo;
  reason: string;
  /** When the first unanswered probe was sent: the engine has not answered since (the outage's start). */
  since?: string;
}

export interface InstanceRemovedEvent {
  type: 'instance.removed';
  id: string;
}

/** Long-running work (engine install, model download): one shape for every progress bar. */
export interface ProgressEvent {
  type: 'progress';
  /** `engine-install`, `model-pull`, … */
  kind: string;
  /** Id of the job (stable across events of one job). */
  id: string;
  label: string;
  /** `paused`: stopped with its bytes kept, to be resumed (model pulls). */
  state: 'running' | 'done' | 'failed' | 'cancelled' | 'paused';
  bytes: number;
  totalBytes: number | null;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
}

/** A deployment went down, hung, failed or recovered (desktop notification, webhook, Reports page). */
export interface AlertEvent {
  type: 'alert';
  alert: Alert;
}

/** Extended by other modules by adding members to this union. */
export type CoreEvent = InstanceStateEvent | InstanceHungEvent | InstanceRemovedEvent | ProgressEvent | AlertEvent;
export type CoreEventType = CoreEvent['type'];
