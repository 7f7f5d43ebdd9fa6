// In-flight inference requests by id, so `POST /api/v1/requests/:id/cancel` can stop one. Cancel is
// idempotent: a request that already ended reports how it ended.
export type RequestEnd = 'completed' | 'cancelled' | 'client_closed' | 'engine_failed' | 'timeout' | 'rejected';

interface Active {
  controller: AbortController;
  model: string;
  startedAt: number;
}

const REMEMBER_ENDED = 1000;

export class RequestRegistry {
  private readonly active = new Map<string, Active>();
  private readonly ended = new Map<string, RequestEnd>();

  begin(id: string, model: string): AbortSignal {
    const controller = new AbortController();
    this.active.set(id, { controller, model, startedAt: Date.now() });
    return controller.signal;
  }

  end(id: string, how: RequestEnd): void {
    if (!this.active.delete(id)) return;
    this.ended.set(id, how);
    if (this.ended.size > REMEMBER_ENDED) this.ended.delete(this.ended.keys().next().value!);
  }

  /** Returns the request's state after the call, or null if the id was never seen. */
  cancel(id: string): { id: string; state: 'cancelling' | RequestEnd } | null {
    const a = this.active.get(id);
    if (a) {
      a.controller.abort();
      return { id, state: 'cancelling' };
    }
    const how = this.ended.get(id);
    return how ? { id, state: how } : null;
  }

  inFlight(model?: string): number {
    if (!model) return this.active.size;
    let n = 0;
    for (const a of this.active.values()) if (a.model === model) n++;
    return n;
  }
}
