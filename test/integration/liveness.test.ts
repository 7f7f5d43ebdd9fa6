// Liveness after ready with the real engine: a SIGSTOPped llama-server (alive, not answering) is
// declared hung within the configured window, the running stream ends with an engine_failed event,
// the engine is killed and restarted, and the event shows in /api/v1/events and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { isAlive, waitFor } from '../helpers/processes.js';

const MODEL = 'stories260K';
const LIVENESS = { livenessIntervalMs: 500, livenessMisses: 3, livenessTimeoutMs: 500 };
/** The longest a hang can go unnoticed: every probe waits its interval and then times out. */
const WINDOW_MS = LIVENESS.livenessMisses * (LIVENESS.livenessIntervalMs + LIVENESS.livenessTimeoutMs);

describe('liveness of ready engines', () => {
  let t: TestCore;
  let stoppedPid = 0;
  beforeAll(async () => {
    t = await startTestCore({ policy: { backoffBaseMs: 50, ...LIVENESS } });
  });
  afterAll(async () => {
    if (stoppedPid && isAlive(stoppedPid)) process.kill(stoppedPid, 'SIGCONT'); // never leave a frozen engine behind
    await t?.close();
  });

  it('ends a running stream with engine_failed within the liveness window when the engine is SIGSTOPped, and restarts it', async () => {
    const events: CoreEvent[] = [];
    const off = t.core.events.subscribe((e) => events.push(e));
    const inst = t.core.supervisor.get((await t.core.deployments.find(MODEL).ensureReady()).spec.id)!;
    const pid = inst.info().pid!;
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 1800, ignore_eos: true, messages: [{ role: 'user', content: 'Tell a long story' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true }); // the stream is running
    process.kill(pid, 'SIGSTOP');
    stoppedPid = pid;
    const frozenAt = performance.now();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const endedMs = performance.now() - frozenAt;
    console.log(`liveness: SIGSTOP → client error event ${Math.round(endedMs)} ms (window ${WINDOW_MS} ms)`);
    expect(text).not.toContain('[DONE]');
    const last = JSON.parse(
      text
        .trim()
        .split('\n\n')
        .at(-1)!
        .replace(/^data: /, ''),
    ) as { error: { code: string } };
    expect(last.error.code).toBe('engine_failed');
    expect(endedMs).toBeLessThan(WINDOW_MS + 10_000); // generous: two CPUs shared with other builds

    await waitFor(() => inst.info().state === 'ready' && inst.info().pid !== pid, 'the engine to be restarted', 30_000);
    expect(inst.info()).toMatchObject({ restarts: 1, hangs: 1 });
    expect(isAlive(pid)).toBe(false); // SIGCONT would find nothing: the frozen engine was killed
    expect(() => process.kill(pid, 'SIGCONT')).toThrow(/ESRCH/);
    stoppedPid = 0;
    const again = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(again.status).toBe(200);
    off();
    expect(events).toContainEqual(expect.objectContaining({ type: 'instance.hung', reason: expect.stringMatching(/stopped answering \/health/) }));
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/llama_orch_engine_hangs\{model="stories260K",instance="stories260K"\} 1/);
  });
});
