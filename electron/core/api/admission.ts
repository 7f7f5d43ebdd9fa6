// Admission control per model: as many requests run as the engine has slots, a bounded queue
// waits behind them, and anything beyond is refused at once with 429 + Retry-After.
// Fair share: each request has an owner (its API key; '' for everyone else). While several owners
// wait, a freed slot goes to the first waiter whose owner holds fewer than its share of the slots
// (slots / owners running or waiting, rounded up), so one key's burst cannot make another key's
// single request wait behind all of it. Nobody is pre-empted: a running request always finishes.
// A full queue is shared the same way: a request from an owner with fewer waiters takes the place
// of the newest waiter of the owner with the most (that one gets the 429 instead).
import { HttpError } from '../util/errors.js';

interface Waiter {
  owner: string;
  resolve: (release: () => void) => void;
  reject: (err: Error) => void;
}

class ModelGate {
  running = 0;
  /** Running requests per owner (only owners with at least one). */
  readonly runningBy = new Map<string, number>();
  readonly queue: Waiter[] = [];
  constructor(public slots: number) {}
}

export class Admission {
  private readonly gates = new Map<string, ModelGate>();

  constructor(private readonly queueDepth: () => number) {}

  /** Wait for a slot; returns the release function. Throws 429 when the queue is full. */
  acquire(model: string, slots: number, signal?: AbortSignal, owner = ''): Promise<() => void> {
    let gate = this.gates.get(model);
    if (!gate) this.gates.set(model, (gate = new ModelGate(slots)));
    gate.slots = Math.max(1, slots);
    const g = gate;
    if (g.running < g.slots && g.queue.length === 0) return Promise.resolve(this.start(g, owner));
    if (g.queue.length >= this.queueDepth()) {
      const full = new HttpError(429, `model '${model}' is busy: ${g.running} requests running and ${g.queue.length} queued (the limit); retry shortly`, 'rate_limit_error', 'queue_full', null, {
        'retry-after': '1',
      });
      const victim = evictable(g, owner);
      if (victim < 0) return Promise.reject(full);
      g.queue.splice(victim, 1)[0]!.reject(full);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        owner,
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

  private start(g: ModelGate, owner: string): () => void {
    g.running++;
    g.runningBy.set(owner, (g.runningBy.get(owner) ?? 0) + 1);
    return once(() => {
      g.running--;
      const n = g.runningBy.get(owner)! - 1;
      if (n > 0) g.runningBy.set(owner, n);
      else g.runningBy.delete(owner);
      this.pump(g);
    });
  }

  private pump(g: ModelGate): void {
    while (g.running < g.slots && g.queue.length > 0) {
      const i = nextFair(g);
      const w = g.queue.splice(i, 1)[0]!;
      w.resolve(this.start(g, w.owner));
    }
  }
}

/** The newest waiter of the owner with the most waiters, if `owner` has at least two fewer; else -1. */
function evictable(g: ModelGate, owner: string): number {
  const counts = new Map<string, number>();
  for (const w of g.queue) counts.set(w.owner, (counts.get(w.owner) ?? 0) + 1);
  let most = owner;
  for (const [o, n] of counts) if (n > (counts.get(most) ?? 0)) most = o;
  if (most === owner || (counts.get(owner) ?? 0) + 1 >= counts.get(most)!) return -1;
  for (let i = g.queue.length - 1; i >= 0; i--) if (g.queue[i]!.owner === most) return i;
  return -1;
}

/** The first waiter whose owner is under its share, else the first (a free slot never stays idle). */
function nextFair(g: ModelGate): number {
  const owners = new Set<string>(g.runningBy.keys());
  for (const w of g.queue) owners.add(w.owner);
  const share = Math.ceil(g.slots / owners.size);
  const i = g.queue.findIndex((w) => (g.runningBy.get(w.owner) ?? 0) < share);
  return i < 0 ? 0 : i;
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
