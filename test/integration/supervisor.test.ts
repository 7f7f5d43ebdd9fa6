// Supervision with the real engine: starting through the admin API, facts and log files, live log
// tails, a SIGKILLed engine mid-stream, a model that makes the engine exit at once, and orphans left
// by a SIGKILLed core.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent, InstanceFactsResponse, InstanceInfo, LogLine } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { startDirectEngine, testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { isRunning, waitFor } from '../helpers/processes.js';
import { startServe } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const MODEL = 'stories260K';

/** Read SSE `data:` payloads from a streaming response until `until` is satisfied or the stream ends. */
async function readEvents(res: Response, until: (events: unknown[]) => boolean, timeoutMs = 15_000): Promise<{ events: unknown[]; raw: string; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let raw = '';
  let ended = false;
  const deadline = Date.now() + timeoutMs;
  while (!until(events) && Date.now() < deadline) {
    const { done, value } = await Promise.race([reader.read(), new Promise<{ done: true; value: undefined }>((r) => setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()))]);
    if (done) {
      ended = true;
      break;
    }
    raw += decoder.decode(value, { stream: true });
    const blocks = raw.split('\n\n');
    raw = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) events.push(data === '[DONE]' ? '[DONE]' : JSON.parse(data));
    }
  }
  if (!ended) await reader.cancel().catch(() => undefined);
  return { events, raw, ended };
}

describe('supervised engines', () => {
  let t: TestCore;
  let auth: Record<string, string>;
  const admin = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    t = await startTestCore({ policy: { backoffBaseMs: 50, maxCrashes: 2 } });
    t.core.settings.update({ engines: { traceLogs: true } }); // memory buffer facts are printed at trace level
    auth = { authorization: `Bearer ${t.core.auth.adminToken}` };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts an instance with POST /api/v1/instances, publishes its states, and reports what the engine loaded', async () => {
    const states: string[] = [];
    const off = t.core.events.subscribe((e: CoreEvent) => e.type === 'instance.state' && e.instance.id === MODEL && states.push(e.instance.state));
    const res = await admin('/api/v1/instances', { method: 'POST', body: JSON.stringify({ model: MODEL, wait: true }) });
    off();
    expect(res.status).toBe(201);
    expect(((await res.json()) as InstanceInfo).state).toBe('ready');
    expect(states).toEqual(['starting', 'ready']);
    const again = await admin('/api/v1/instances', { method: 'POST', body: JSON.stringify({ model: MODEL }) });
    expect(again.status).toBe(200); // already running: no second engine

    // Facts come from the engine's log lines, read from its stderr pipe; /health can answer 200
    // before the core has read the last of them (at trace level there are thousands), so wait.
    const facts = await waitFor(
      async () => {
        const f = ((await (await admin(`/api/v1/instances/${MODEL}/facts`)).json()) as InstanceFactsResponse).facts;
        return f.modelLoaded && f.totals.kvBytes > 0 ? f : null;
      },
      'the engine facts from its log',
      5000,
    );
    expect(facts).toMatchObject({ modelLoaded: true, slots: expect.any(Number), contextPerSlot: expect.any(Number) });
    expect(facts.buffers.map((b) => b.kind)).toEqual(expect.arrayContaining(['model', 'kv', 'compute']));
    expect(facts.totals.kvBytes).toBeGreaterThan(0);

    const bad = await admin('/api/v1/instances', { method: 'POST', body: JSON.stringify({ model: 'nope' }) });
    expect(bad.status).toBe(404);
    const invalid = await admin('/api/v1/instances', { method: 'POST', body: JSON.stringify({ model: MODEL, contextSize: -1 }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { param: string } }).error.param).toBe('contextSize');
  });

  it('streams log lines live to a subscriber, returns the last N with tail=N, and writes them to the log file', async () => {
    const inst = t.core.supervisor.get(MODEL)!;
    const tail = (await (await admin(`/api/v1/instances/${MODEL}/logs?tail=3&follow=0`)).json()) as { data: LogLine[] };
    expect(tail.data).toHaveLength(3);
    expect(tail.data.map((l) => l.seq)).toEqual(inst.tailLogs(3).map((l) => l.seq));

    const live = await admin(`/api/v1/instances/${MODEL}/logs?tail=0`);
    const lastSeq = inst.tailLogs(1)[0]!.seq;
    const reading = readEvents(live, (ev) => ev.some((l) => /print_timing/.test((l as LogLine).text)));
    await fetch(`${t.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, prompt: 'Once', max_tokens: 8 }) }).then((r) => r.text());
    const { events } = await reading;
    const lines = events as LogLine[];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.seq > lastSeq)).toBe(true); // only new lines, in order
    expect(lines.find((l) => /print_timing/.test(l.text))).toBeTruthy();
    // The generation timing line can arrive just after the prompt timing line the reader stopped at.
    const lastEval = await waitFor(async () => ((await (await admin(`/api/v1/instances/${MODEL}/facts`)).json()) as InstanceFactsResponse).facts.lastEval, 'the eval timing fact');
    expect(lastEval.tokens).toBeGreaterThan(0);

    await t.core.supervisor.stopAll(); // flushes the files (the next test starts it again)
    const logFile = join(t.dataDir, 'logs', 'engines', `${MODEL}.log`);
    const text = readFileSync(logFile, 'utf8');
    expect(text).toMatch(/stderr info .*model loaded/);
    expect(text).not.toContain('Once'); // never the prompt
  });

  it('ends a running stream with an error event when the engine is SIGKILLed, restarts it and serves again', async () => {
    const inst = t.core.supervisor.get((await t.core.deployments.load(MODEL)).spec.id)!;
    await inst.ensureReady();
    const pid = inst.info().pid!;
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 1800, ignore_eos: true, messages: [{ role: 'user', content: 'Tell a long story' }] }),
    });
    expect(res.status).toBe(200);
    const reading = readEvents(res, (ev) => ev.some((e) => (e as { error?: unknown }).error !== undefined || e === '[DONE]'));
    await waitFor(() => inst.tailLogs(50).some((l) => /processing task/.test(l.text)), 'the engine to start generating', 10_000, 5);
    process.kill(pid, 'SIGKILL');
    const { events } = await reading;
    expect(events).not.toContain('[DONE]');
    const err = events.find((e) => (e as { error?: unknown }).error) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('engine_failed');

    await waitFor(() => inst.info().state === 'ready' && inst.info().pid !== pid, 'the engine to be restarted', 15_000);
    expect(inst.info().restarts).toBe(1);
    const again = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { choices: unknown[] }).choices).toHaveLength(1);
  });

  it("fails a model that makes the engine exit at once, with the engine's own error line, after the bounded retries", async () => {
    // A whole model the planner places, with an (allowed) metadata override the engine cannot load it with.
    t.core.deployments.addUnsaved({ name: 'broken', model: STORIES_MODEL, extraFlags: ['--override-kv', 'llama.block_count=int:99'] });
    const res = await admin('/api/v1/instances', { method: 'POST', body: JSON.stringify({ model: 'broken', wait: true }) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/tensor 'blk.5.attn_norm.weight' not found/);
    const info = t.core.supervisor.get('broken')!.info();
    expect(info.state).toBe('failed');
    expect(info.reason).toMatch(/^engine exited \(code \d+\): llama_model_load: error loading model: check_tensor_dims: tensor 'blk.5.attn_norm.weight' not found$/);
    expect(info.restarts).toBe(2); // maxCrashes = 2: three attempts in all, then no restart loop
    const attempts = t.core.supervisor
      .get('broken')!
      .tailLogs()
      .filter((l) => l.stream === 'supervisor' && /^starting /.test(l.text));
    expect(attempts).toHaveLength(3);
    expect(readdirSync(join(t.dataDir, 'run')).filter((n) => n.startsWith('broken'))).toEqual([]); // no stale pidfile
  });
});

describe('engines outlive no core', () => {
  it('takes the engine down with a SIGKILLed serve within 2 s (parent-death signal)', async () => {
    const data = tempDir();
    let enginePid = 0;
    try {
      const serve = await startServe(['--model', STORIES_MODEL, '--engine', testEnginePath(), '--data-dir', data.path]);
      enginePid = serve.enginePids.get(MODEL)!;
      expect(isRunning(enginePid)).toBe(true);
      const killedAt = performance.now();
      await serve.stop('SIGKILL');
      await waitFor(() => !isRunning(enginePid), 'the engine to die with its core', 2_000, 5);
      const ms = performance.now() - killedAt;
      process.stdout.write(`[figure] SIGKILL of serve to engine exit: ${ms.toFixed(1)} ms\n`);
    } finally {
      if (enginePid && isRunning(enginePid)) process.kill(enginePid, 'SIGKILL');
      data.cleanup();
    }
  });

  it('reaps, at the next start, an engine whose core died without taking it along', async () => {
    // An engine that outlived its core (no parent-death signal on this platform, or started by a
    // core that predates it): a real llama-server and the pidfile such a core leaves behind.
    const data = tempDir();
    const orphan = await startDirectEngine(['-m', STORIES_MODEL, '-np', '1']);
    const enginePid = orphan.proc.pid!;
    try {
      const deadCore = spawnSync('true').pid!;
      mkdirSync(join(data.path, 'run'), { recursive: true });
      writeFileSync(
        join(data.path, 'run', `${MODEL}.pid.json`),
        JSON.stringify({ pid: enginePid, instanceId: MODEL, enginePath: testEnginePath(), startedAt: new Date().toISOString(), corePid: deadCore }),
      );
      const second = await startServe(['--engine', testEnginePath(), '--data-dir', data.path], { readyModels: 0 });
      try {
        await waitFor(() => !isRunning(enginePid), 'the orphaned engine to be reaped', 10_000);
        expect(existsSync(join(data.path, 'run', `${MODEL}.pid.json`))).toBe(false);
        const line = `  reaped 1 engine left running by a previous run (pid ${enginePid})`;
        await waitFor(() => second.output.includes(line), 'serve to say what it reaped');
        expect(second.output).toContain(line);
      } finally {
        await second.stop();
      }
    } finally {
      await orphan.stop();
      data.cleanup();
    }
  });
});
