// In-flight inference requests by id, so `POST /api/v1/requests/:id/cancel` can stop one. Cancel is
// idempotent: a request that already ended reports how it ended. Each request remembers the key that
// started it: that key (or an admin) may cancel it, another key may not.
import { HttpError } from '../util/errors.js';
export type RequestEnd = 'completed' | 'cancelled' | 'client_closed' | 'engine_failed' | 'timeout' | 'rejected';

interface Active {
  controller: AbortController;
  model: string;
  startedAt: number;
  /** Id of the API key that started it; null for admin or anonymous (loopback without keys) callers. */
  owner: string | null;
}

/** Who asks to cancel: an admin may cancel anything, a key only what it started. */
export interface Canceller {
  admin: boolean;
  keyId: string | null;
}

const REMEMBER_ENDED = 1000;

export class RequestRegistry {
  private readonly active = new Map<string, Active>();
  private readonly ended = new Map<string, { how: RequestEnd; owner: string | null }>();

  begin(id: string, model: string, owner: string | null = null): AbortSignal {
    const controller = new AbortController();
    this.active.set(id, { controller, model, startedAt: Date.now(), owner });
    return controller.signal;
  }

  end(id: string, how: RequestEnd): void {
    const a = this.active.get(id);
    if (!a) return;
    this.active.delete(id);
    this.ended.set(id, { how, owner: a.owner });
    if (this.ended.size > REMEMBER_ENDED) this.ended.delete(this.ended.keys().next().value!);
  }

  /** Returns the request's state after the call, or null if the id was never seen. */
  cancel(id: string, by: Canceller = { admin: true, keyId: null }): { id: string; state: 'cancelling' | RequestEnd } | null {
    const a = this.active.get(id);
    const ended = this.ended.get(id);
    const owner = a ? a.owner : ended ? ended.owner : undefined;
    if (owner === undefined) return null;
    if (!by.admin && owner !== by.keyId) {
      throw new HttpError(403, `request '${id}' was started by another API key; only that key or an admin may cancel it`, 'permission_error', 'not_request_owner', 'id');
    }
    if (a) {
      a.controller.abort();
      return { id, state: 'cancelling' };
    }
    return { id, state: ended!.how };
  }

  inFlight(model?: string): number {
    if (!model) return this.active.size;
    let n = 0;
    for (const a of this.active.values()) if (a.model === model) n++;
    return n;
  }
}
