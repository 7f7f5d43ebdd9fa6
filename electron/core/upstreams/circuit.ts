// The circuit breaker of one upstream (pure; the clock is injected). Closed: requests pass, each
// failure counts, a success resets the count. `threshold` consecutive failures open it: requests are
// refused for `openMs` (the gateway answers 503 with Retry-After). After that the next caller — a
// request or a health check — is the one probe (half-open); its success closes the circuit, its
// failure opens it again for another `openMs`. Outcomes that say nothing about the upstream (the
// client left, the request was cancelled) only free the probe.
import type { CircuitState } from '../../contract/index.js';

export interface CircuitOptions {
  threshold: number;
  openMs: number;
}

export type Admit = { ok: true } | { ok: false; retryAfterMs: number };

/** A probe that has not reported back within this long is presumed lost (another may go). */
const PROBE_LOST_MS = 60_000;

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probeSince: number | null = null;
  private current: CircuitState = 'closed';

  constructor(
    private readonly opts: CircuitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** ms until an open circuit lets a probe through (0 when it would now); null when closed. */
  retryAfterMs(): number | null {
    if (this.current === 'closed') return null;
    if (this.current === 'half_open') return 1000;
    return Math.max(0, this.openUntil - this.now());
  }

  /** May a request (or health check) go to the upstream now? A `true` in half-open makes it the probe. */
  admit(): Admit {
    if (this.current === 'closed') return { ok: true };
    const now = this.now();
    if (this.current === 'open') {
      if (now < this.openUntil) return { ok: false, retryAfterMs: this.openUntil - now };
      this.current = 'half_open';
      this.probeSince = null;
    }
    if (this.probeSince !== null && now - this.probeSince < PROBE_LOST_MS) return { ok: false, retryAfterMs: 1000 };
    this.probeSince = now;
    return { ok: true };
  }

  success(): void {
    this.failures = 0;
    this.current = 'closed';
    this.probeSince = null;
  }

  failure(): void {
    this.failures += 1;
    if (this.current === 'half_open' || this.failures >= this.opts.threshold) {
      this.current = 'open';
      this.openUntil = this.now() + this.opts.openMs;
      this.probeSince = null;
    }
  }

  /** The request ended without telling whether the upstream works (client left, cancelled). */
  neutral(): void {
    this.probeSince = null;
  }
}
