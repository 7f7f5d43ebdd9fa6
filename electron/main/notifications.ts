// Native notifications for what happens while nobody looks at the window: an engine failed, a
// download finished or failed. One notice per transition (an engine that stays failed, or a
// progress stream repeating `done`, notifies once). Bodies name models and reasons, never request
// content.
import type { CoreEvent } from '../contract/index.js';

export interface Notice {
  kind: 'engine-failed' | 'download-done' | 'download-failed' | 'deployment-down' | 'deployment-recovered' | 'error-budget-burn';
  title: string;
  body: string;
}

const DOWNLOAD_KINDS: Record<string, string> = {
  'model-pull': 'Model download',
  'engine-install': 'Engine install',
};

/** Maps core events to notices; remembers the last state per instance/job to notify on transitions only. */
export class NoticeFilter {
  private readonly last = new Map<string, string>();

  noticeFor(event: CoreEvent): Notice | null {
    if (event.type === 'instance.removed') {
      this.last.delete(`instance:${event.id}`);
      return null;
    }
    if (event.type === 'instance.state') {
      const { id, state, modelId, reason } = event.instance;
      if (!this.transition(`instance:${id}`, state) || state !== 'failed') return null;
      return { kind: 'engine-failed', title: `Engine for ${modelId} failed`, body: reason ?? 'The engine stopped unexpectedly; see its log in llama-orch.' };
    }
    if (event.type === 'alert') {
      const { deployment, kind, reason } = event.alert;
      // `failed` is already told by the instance's own failed state above.
      if (kind === 'down' || kind === 'hung')
        return { kind: 'deployment-down', title: `${deployment} is down${kind === 'hung' ? ' (hung)' : ''}; restarting`, body: reason ?? 'The engine stopped unexpectedly.' };
      if (kind === 'recovered') return { kind: 'deployment-recovered', title: `${deployment} is back up`, body: 'The engine restarted and answers again.' };
      if (kind === 'budget-burn') return { kind: 'error-budget-burn', title: `${deployment} is burning its error budget`, body: reason ?? 'Errors are above what the error-rate target allows.' };
      return null;
    }
    if (event.type === 'progress') {
      if (!this.transition(`progress:${event.kind}:${event.id}`, event.state)) return null;
      const what = DOWNLOAD_KINDS[event.kind] ?? 'Download';
      if (event.state === 'done') return { kind: 'download-done', title: `${what} finished`, body: event.label };
      if (event.state === 'failed') return { kind: 'download-failed', title: `${what} failed`, body: event.error ? `${event.label}: ${event.error}` : event.label };
    }
    return null;
  }

  private transition(key: string, state: string): boolean {
    if (this.last.get(key) === state) return false;
    this.last.set(key, state);
    return true;
  }
}

export interface EventSource<T> {
  subscribe(fn: (value: T) => void): () => void;
}

/** Show a notice for each relevant core event; returns the unsubscribe function. */
export function watchNotices(events: EventSource<CoreEvent>, show: (notice: Notice) => void): () => void {
  const filter = new NoticeFilter();
  return events.subscribe((event) => {
    const notice = filter.noticeFor(event);
    if (notice) show(notice);
  });
}
