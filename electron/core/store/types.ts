// Rows of the operations store (metadata only: never prompt or completion text).
import type { Histogram } from './latency-histogram.js';

export interface RequestRow {
  timeMs: number;
  deployment: string;
  keyId: string | null;
  route: string;
  status: number;
  outcome: string;
  promptTokens: number | null;
  completionTokens: number | null;
  /** From the request's arrival to the first token of a streamed answer (null when not streamed). */
  ttftMs: number | null;
  /** Time per output token after the first (the engine's own timing where it gives one). */
  tpotMs: number | null;
  totalMs: number;
}

/** `down`: crashed or hung, restarting; `failed`: gave up; `stopped`: unloaded on purpose (not downtime). */
export type AvailabilityStatus = 'up' | 'down' | 'loading' | 'failed' | 'stopped';

export interface AvailabilityRow {
  timeMs: number;
  deployment: string;
  status: AvailabilityStatus;
  reason: string | null;
}

export type EventKind = 'start' | 'ready' | 'crash' | 'restart' | 'hung' | 'failed' | 'stop' | 'evict';

export interface EventRow {
  timeMs: number;
  deployment: string;
  kind: EventKind;
  reason: string | null;
}

export interface AlertRow {
  timeMs: number;
  deployment: string;
  kind: 'down' | 'hung' | 'failed' | 'recovered' | 'budget-burn';
  reason: string | null;
}

export interface HardwareRow {
  timeMs: number;
  /** `gpu0`, `cpu`, … */
  device: string;
  utilizationPercent: number | null;
  memoryUsedBytes: number | null;
  powerWatts: number | null;
}

export interface RollupRow {
  day: string;
  deployment: string;
  keyId: string | null;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Latency histograms of the day's requests (empty for days rolled up before they were kept). */
  ttftHist: Histogram;
  tpotHist: Histogram;
}

export interface StoreHealth {
  /** The database is open and the last write went through. */
  ok: boolean;
  /** What is wrong, for a person (health `problems`, the UI banner); null when fine. */
  problem: string | null;
  /** Writes that failed (each retried at the next flush while the queue has room). */
  failures: number;
  /** Rows given up on (the queue was full while the database could not be written). */
  dropped: number;
  /** Rows waiting to be written. */
  queued: number;
}
