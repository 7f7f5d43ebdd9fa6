// The circuit breaker's decisions with a hand-driven clock, and how a request's end counts.
import { describe, expect, it } from 'vitest';
import { verdict } from '../../../electron/core/api/upstream-router.js';
import { CircuitBreaker } from '../../../electron/core/upstreams/circuit.js';

function breaker(threshold = 3, openMs = 10_000) {
  const clock = { now: 1_000_000 };
  return { b: new CircuitBreaker({ threshold, openMs }, () => clock.now), clock };
}

describe('circuit breaker', () => {
  it('opens after N consecutive failures and refuses with the time left', () => {
    const { b, clock } = breaker(3, 10_000);
    b.failure();
    b.failure();
    expect(b.admit()).toEqual({ ok: true });
    b.failure();
    expect(b.state).toBe('open');
    clock.now += 4_000;
    expect(b.admit()).toEqual({ ok: false, retryAfterMs: 6_000 });
    expect(b.retryAfterMs()).toBe(6_000);
  });

  it('a success in between resets the count', () => {
    const { b } = breaker(2);
    b.failure();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('after the open time lets exactly one probe through; its success closes the circuit', () => {
    const { b, clock } = breaker(1, 5_000);
    b.failure();
    clock.now += 5_000;
    expect(b.admit()).toEqual({ ok: true });
    expect(b.state).toBe('half_open');
    expect(b.admit().ok).toBe(false); // the probe is out
    b.success();
    expect(b.state).toBe('closed');
    expect(b.admit()).toEqual({ ok: true });
  });

  it('a failed probe opens it again for the whole period; a neutral end frees the probe', () => {
    const { b, clock } = breaker(1, 5_000);
    b.failure();
    clock.now += 5_000;
    expect(b.admit().ok).toBe(true);
    b.neutral();
    expect(b.admit().ok).toBe(true); // another probe may go
    b.failure();
    expect(b.state).toBe('open');
    clock.now += 4_999;
    expect(b.admit()).toEqual({ ok: false, retryAfterMs: 1 });
  });
});

describe('what a request end says about an upstream', () => {
  it('counts unreachable, cut off, timed out and 5xx as failures; client gone, cancel, 429 and refusals as neutral', () => {
    expect(verdict(502, 'engine_failed')[0]).toBe('failure');
    expect(verdict(504, 'timeout')[0]).toBe('failure');
    expect(verdict(500, 'completed')[0]).toBe('failure');
    expect(verdict(200, 'client_closed')[0]).toBe('neutral');
    expect(verdict(409, 'cancelled')[0]).toBe('neutral');
    expect(verdict(429, 'completed')[0]).toBe('neutral');
    expect(verdict(403, null)[0]).toBe('neutral');
    expect(verdict(200, 'completed')[0]).toBe('success');
    expect(verdict(400, 'completed')[0]).toBe('success');
  });
});
