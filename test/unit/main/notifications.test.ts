// Native notifications: one per engine failure or finished/failed download, none for the rest.
import { describe, expect, it } from 'vitest';
import type { CoreEvent, InstanceInfo, InstanceState, ProgressEvent } from '../../../electron/contract/index.js';
import { Listeners } from '../../../electron/core/util/emitter.js';
import { watchNotices, type Notice } from '../../../electron/main/notifications.js';

function state(id: string, s: InstanceState, reason: string | null = null): CoreEvent {
  const instance: InstanceInfo = { id, modelId: `model-${id}`, modelPath: '/m.gguf', enginePath: '/e', state: s, reason, pid: null, port: null, restarts: 0, startedAt: null, readyAt: null, argv: [] };
  return { type: 'instance.state', instance };
}

function progress(id: string, s: ProgressEvent['state'], kind = 'model-pull', error: string | null = null): CoreEvent {
  return { type: 'progress', kind, id, label: `qwen2.5-7b-q4_k_m.gguf`, state: s, bytes: 1, totalBytes: 2, bytesPerSecond: null, etaSeconds: null, error };
}

function watch() {
  const events = new Listeners<CoreEvent>();
  const shown: Notice[] = [];
  const stop = watchNotices(events, (n) => shown.push(n));
  return { events, shown, stop };
}

describe('notifications', () => {
  it('notifies a deployment that went down or hung and its recovery, not a failed alert twice, and a budget burn', () => {
    const { events, shown } = watch();
    const alert = (kind: 'down' | 'hung' | 'failed' | 'recovered' | 'budget-burn', reason: string | null = null): CoreEvent => ({
      type: 'alert',
      alert: { time: '2026-11-10T08:00:00.000Z', deployment: 'chat', kind, reason },
    });
    events.emit(alert('down', 'engine exited (signal SIGKILL)'));
    events.emit(alert('recovered'));
    events.emit(alert('hung', 'engine stopped answering /health'));
    events.emit(alert('failed', 'gave up'));
    events.emit(alert('budget-burn', 'errors are using the error budget 20× as fast'));
    expect(shown.map((n) => [n.kind, n.title])).toEqual([
      ['deployment-down', 'chat is down; restarting'],
      ['deployment-recovered', 'chat is back up'],
      ['deployment-down', 'chat is down (hung); restarting'],
      ['error-budget-burn', 'chat is burning its error budget'],
    ]);
    expect(shown[3]!.body).toMatch(/20× as fast/);
    expect(shown[0]!.body).toBe('engine exited (signal SIGKILL)');
  });

  it('notifies an engine failure once, with the engine’s own reason', () => {
    const { events, shown } = watch();
    events.emit(state('a', 'starting'));
    events.emit(state('a', 'failed', 'error loading model: unknown architecture'));
    events.emit(state('a', 'failed', 'error loading model: unknown architecture'));
    expect(shown).toEqual([{ kind: 'engine-failed', title: 'Engine for model-a failed', body: 'error loading model: unknown architecture' }]);
  });

  it('notifies again when a restarted engine fails again', () => {
    const { events, shown } = watch();
    for (const s of ['failed', 'starting', 'ready', 'failed'] as const) events.emit(state('a', s));
    expect(shown.map((n) => n.kind)).toEqual(['engine-failed', 'engine-failed']);
  });

  it('stays quiet for normal engine life (start, ready, stop)', () => {
    const { events, shown } = watch();
    for (const s of ['starting', 'ready', 'stopping', 'stopped'] as const) events.emit(state('a', s));
    events.emit({ type: 'instance.removed', id: 'a' });
    expect(shown).toEqual([]);
  });

  it('notifies a finished and a failed download once each, not progress or cancellation', () => {
    const { events, shown } = watch();
    events.emit(progress('j1', 'running'));
    events.emit(progress('j1', 'running'));
    events.emit(progress('j1', 'done'));
    events.emit(progress('j1', 'done'));
    events.emit(progress('j2', 'failed', 'engine-install', 'sha256 mismatch'));
    events.emit(progress('j3', 'cancelled'));
    expect(shown).toEqual([
      { kind: 'download-done', title: 'Model download finished', body: 'qwen2.5-7b-q4_k_m.gguf' },
      { kind: 'download-failed', title: 'Engine install failed', body: 'qwen2.5-7b-q4_k_m.gguf: sha256 mismatch' },
    ]);
  });

  it('stops listening when unsubscribed', () => {
    const { events, shown, stop } = watch();
    stop();
    events.emit(state('a', 'failed'));
    expect(shown).toEqual([]);
    expect(events.count).toBe(0);
  });
});
