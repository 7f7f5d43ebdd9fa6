// Admission control per model: as many requests run as the engine has slots, a bounded queue
// waits behind them, and anything beyond is refused at once with 429 + Retry-After.
import { HttpError } from '../util/errors.js';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: Error) => void;
}

class ModelGate {
  running = 0;
  readonly queue: Waiter[] = [];
  constructor(public slots: number) {}
}

export class Admission {
  private readonly gates = new Map<string, ModelGate>();

  constructor(private readonly queueDepth: () => number) {}

  /** Wait for a slot; returns the release function. Throws 429 when the queue is full. */
  acquire(model: string, slots: number, signal?: AbortSignal): Promise<() => void> {
    let gate = this.gates.get(model);
    if (!gate) this.gates.set(model, (gate = new ModelGate(slots)));
    gate.slots = Math.max(1, slots);
    const g = gate;
    if (g.running < g.slots && g.queue.length === 0) {
      g.running++;
      return Promise.resolve(this.releaser(g));
    }
    if (g.queue.length >= this.queueDepth()) {
      return Promise.reject(
        new HttpError(429, `model '${model}' is busy: ${g.running} requests running and ${g.queue.length} queued (the limit); retry shortly`, 'rate_limit_error', 'queue_full', null, { 'retry-after': '1' }),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject,
      };
      const onAbort = () => {
        const i = g.queue.indexOf(waiter);
        if (i >= 0) g.queue.splice(i, 1);
        reject(new Error('request left the queue'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      g.queue.push(waiter);
    });
  }

  queued(model?: string): number {
    if (model) return this.gates.get(model)?.queue.length ?? 0;
    let n = 0;
    for (const g of this.gates.values()) n += g.queue.length;
    return n;
  }

  running(model: string): number {
    return this.gates.get(model)?.running ?? 0;
  }

  private releaser(g: ModelGate): () => void {
    return once(() => {
      g.running--;
      this.pump(g);
    });
  }

  private pump(g: ModelGate): void {
    while (g.running < g.slots && g.queue.length > 0) {
      const w = g.queue.shift()!;
      g.running++;
      w.resolve(this.releaser(g));
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
