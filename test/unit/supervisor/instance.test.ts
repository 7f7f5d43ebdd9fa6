// The instance state machine driven through its effects seam with a recording fake: starts, early
// exits, crash budget and backoff, stops at every point of a start, and facts from log lines.
import { describe, expect, it, vi } from 'vitest';
import type { InstanceInfo } from '../../../electron/contract/index.js';
import { DEFAULT_POLICY, EngineInstance, type InstanceHooks, type InstancePolicy, type LaunchSpec } from '../../../electron/core/supervisor/instance.js';
import { FakeEffects, settle } from './fake-effects.js';

const SPEC: LaunchSpec = { id: 'm', modelId: 'm', modelPath: '/models/m.gguf', enginePath: '/engines/llama-server', args: ['-m', '/models/m.gguf'] };
// The defaults with round numbers where the tests count backoff steps and log lines.
const POLICY: InstancePolicy = { ...DEFAULT_POLICY, readyTimeoutMs: 10_000, stopGraceMs: 500, backoffBaseMs: 1000, backoffMaxMs: 8000, logCapacity: 100 };

function setup(hooks: Partial<InstanceHooks> = {}, policy: Partial<InstancePolicy> = {}) {
  const fx = new FakeEffects();
  const states: InstanceInfo['state'][] = [];
  let port = 40000;
  const inst = new EngineInstance(SPEC, fx, { allocatePort: async () => port++, onState: (i) => states.push(i.state), ...hooks }, { ...POLICY, ...policy });
  return { fx, inst, states };
}

const LOAD_ERROR = [
  "0.00.003.531 E gguf_init_from_reader: invalid magic characters: 'garb', expected 'GGUF'",
  '0.00.003.620 E llama_model_load: error loading model: llama_model_loader: failed to load model from /models/m.gguf',
  '0.00.004.070 E srv  llama_server: exiting due to model loading error',
];

describe('EngineInstance', () => {
  it('starts once for concurrent callers, with the plan args, launch args and a loopback port', async () => {
    const { fx, inst, states } = setup({ launchArgs: async () => ['--log-verbosity', '4'] });
    await Promise.all([inst.ensureReady(), inst.ensureReady(), inst.ensureReady()]);
    expect(fx.procs).toHaveLength(1);
    const args = fx.procs[0]!.spec.args;
    expect(args.slice(0, 4)).toEqual(['-m', '/models/m.gguf', '--log-verbosity', '4']);
    expect(args).toEqual(expect.arrayContaining(['--host', '127.0.0.1', '--port', '40000', '--api-key', inst.apiKey]));
    expect(fx.procs[0]!.spec.env.CUDA_DEVICE_ORDER).toBe('PCI_BUS_ID');
    expect(states).toEqual(['starting', 'ready']);
    expect(inst.baseUrl()).toBe('http://127.0.0.1:40000');
    expect(inst.info()).toMatchObject({ state: 'ready', pid: 1000, port: 40000, restarts: 0 });
  });

  it('retries an engine that exits at once with growing backoff, then fails with its first error line', async () => {
    const { fx, inst, states } = setup();
    fx.onSpawn = (p) => {
      for (const line of LOAD_ERROR) p.print(line);
      p.exit(1);
    };
    const err = await inst.ensureReady().catch((e: Error) => e);
    expect(fx.procs).toHaveLength(POLICY.maxCrashes + 1);
    expect(fx.backoffs()).toEqual([1000, 2000, 4000]);
    expect(states.at(-1)).toBe('failed');
    const reason = "engine exited (code 1): gguf_init_from_reader: invalid magic characters: 'garb', expected 'GGUF'";
    expect(inst.info()).toMatchObject({ state: 'failed', reason, restarts: POLICY.maxCrashes });
    expect((err as Error).message).toBe(reason);
    // failed is terminal: no new attempt until the instance is replaced
    await expect(inst.ensureReady()).rejects.toThrow(reason);
    expect(fx.procs).toHaveLength(POLICY.maxCrashes + 1);
  });

  it('caps the backoff at backoffMaxMs', async () => {
    const { fx, inst } = setup({}, { maxCrashes: 6 });
    fx.onSpawn = (p) => p.exit(1);
    await inst.ensureReady().catch(() => undefined);
    expect(fx.backoffs()).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('restarts a ready engine that crashes, and waiters get the new engine', async () => {
    const { fx, inst, states } = setup();
    await inst.ensureReady();
    fx.procs[0]!.exit(null, 'SIGKILL');
    await settle();
    const waiting = inst.ensureReady();
    await waiting;
    expect(fx.procs).toHaveLength(2);
    expect(inst.info()).toMatchObject({ state: 'ready', restarts: 1, pid: 1001, port: 40001 });
    expect(states).toEqual(['starting', 'ready', 'starting', 'ready']);
    expect(fx.backoffs()).toEqual([1000]);
  });

  it('gives up on an engine that keeps crashing after becoming ready, without a restart loop', async () => {
    const { fx, inst } = setup();
    await inst.ensureReady();
    for (let i = 0; i < POLICY.maxCrashes; i++) {
      fx.procs.at(-1)!.exit(139);
      await settle();
      await inst.ensureReady();
    }
    fx.procs.at(-1)!.print('0.01.000.000 E ggml_abort: CUDA error: out of memory');
    fx.procs.at(-1)!.exit(134);
    await settle();
    expect(inst.info()).toMatchObject({ state: 'failed', reason: 'engine exited (code 134): ggml_abort: CUDA error: out of memory' });
    expect(fx.procs).toHaveLength(POLICY.maxCrashes + 1);
  });

  it('forgets crashes older than the window', async () => {
    const { fx, inst } = setup();
    await inst.ensureReady();
    for (let i = 0; i < POLICY.maxCrashes + 3; i++) {
      fx.clock += POLICY.crashWindowMs + 1;
      fx.procs.at(-1)!.exit(1);
      await settle();
      await inst.ensureReady();
    }
    expect(inst.info()).toMatchObject({ state: 'ready', restarts: POLICY.maxCrashes + 3 });
    expect(fx.backoffs()).toEqual(Array(POLICY.maxCrashes + 3).fill(1000)); // one crash in the window each time
  });

  it('stops during start: SIGTERM, the waiter is told, and no restart follows', async () => {
    const { fx, inst, states } = setup({}, { readyTimeoutMs: 1e12 });
    fx.healthy = () => false; // still loading
    const ready = inst.ensureReady();
    await settle();
    expect(inst.info().state).toBe('starting');
    await inst.stop();
    await expect(ready).rejects.toThrow(/stopped while starting/);
    expect(fx.procs).toHaveLength(1);
    expect(fx.procs[0]!.signals).toEqual(['SIGTERM']);
    expect(states.at(-1)).toBe('stopped');
    await settle();
    expect(fx.procs).toHaveLength(1);
  });

  it('stops while a port is being found: no engine is spawned afterwards', async () => {
    let givePort!: (p: number) => void;
    const { fx, inst } = setup({ allocatePort: () => new Promise<number>((r) => (givePort = r)) });
    const ready = inst.ensureReady();
    await settle();
    await inst.stop();
    givePort(41000);
    await expect(ready).rejects.toThrow(/stopped while starting/);
    expect(fx.procs).toHaveLength(0);
    expect(inst.info().state).toBe('stopped');
  });

  it('stops during the backoff between attempts', async () => {
    const { fx, inst } = setup();
    let first = true;
    fx.onSpawn = (p) => {
      if (first) p.exit(1);
      first = false;
    };
    const realSleep = fx.sleep.bind(fx);
    fx.sleep = async (ms) => {
      if (ms >= 1000) await inst.stop(); // stop arrives while the instance waits to retry
      return realSleep(ms);
    };
    await expect(inst.ensureReady()).rejects.toThrow(/stopped while starting/);
    expect(fx.procs).toHaveLength(1);
    expect(inst.info().state).toBe('stopped');
  });

  it('kills the process group when SIGTERM is ignored past the grace period', async () => {
    const { fx, inst } = setup();
    await inst.ensureReady();
    fx.procs[0]!.ignoreSigterm = true;
    await inst.stop();
    expect(fx.procs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(fx.sleeps).toContain(POLICY.stopGraceMs);
    expect(inst.info()).toMatchObject({ state: 'stopped', pid: null, port: null });
    expect(inst.tailLogs().at(-1)!.text).toMatch(/did not exit within 500 ms/);
  });

  it('fails a start that never becomes healthy before the deadline, killing the engine each time', async () => {
    const { fx, inst } = setup({}, { maxCrashes: 1 });
    fx.healthy = () => false;
    await expect(inst.ensureReady()).rejects.toThrow(/did not become healthy within 10 s/);
    expect(fx.procs).toHaveLength(2);
    for (const p of fx.procs) expect(p.signals).toEqual(['SIGKILL']);
  });

  it('declares a ready engine that stops answering /health hung after the set misses, kills it and restarts it with backoff', async () => {
    const hung: string[] = [];
    const { fx, inst, states } = setup({ onHung: (_i, reason) => hung.push(reason) }, { livenessIntervalMs: 5000, livenessMisses: 3 });
    let answering = true;
    fx.healthy = (p) => !!p?.alive && (answering || p !== fx.procs[0]);
    await inst.ensureReady();
    await settle();
    expect(fx.procs[0]!.signals).toEqual([]); // probes answered: nothing happens
    answering = false; // the first engine freezes (SIGSTOP, deadlock)
    await vi.waitFor(() => expect(fx.procs[0]!.signals).toEqual(['SIGKILL']));
    expect(hung).toEqual([expect.stringMatching(/stopped answering \/health \(3 probes 5000 ms apart, each waiting 2000 ms\); killed as hung/)]);
    await vi.waitFor(() => expect(inst.info().state).toBe('ready'));
    expect(fx.procs).toHaveLength(2);
    expect(inst.info()).toMatchObject({ restarts: 1, hangs: 1 });
    expect(inst.tailLogs().map((l) => l.text)).toContainEqual(expect.stringMatching(/killed as hung/));
    expect(states).toEqual(['starting', 'ready', 'starting', 'ready']);
    await inst.stop(); // the probe of the new engine ends with it
  });

  it('keeps waiting past the ready deadline while the engine prints load progress, and not once it falls silent', async () => {
    const { fx, inst } = setup({}, { maxCrashes: 0, readyTimeoutMs: 1000, loadProgressGraceMs: 5000 });
    fx.healthy = () => false;
    let polls = 0;
    const origSleep = fx.sleep.bind(fx);
    fx.sleep = async (ms: number) => {
      // A big model loading: a progress line every ~1 s of engine time for the first 20 s.
      if (fx.clock < 1_000_000 + 20_000 && Math.floor((fx.clock + ms) / 1000) > Math.floor(fx.clock / 1000)) fx.procs.at(-1)?.print('.');
      polls++;
      return origSleep(ms);
    };
    const err = await inst.ensureReady().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/did not become healthy within 1 s and printed nothing for 5 s/);
    expect(fx.clock - 1_000_000).toBeGreaterThan(20_000 + 5000); // alive for the whole load, then the grace
    expect(polls).toBeGreaterThan(10);
  });

  it('can start again after a stop', async () => {
    const { fx, inst } = setup();
    await inst.ensureReady();
    await inst.stop();
    await inst.ensureReady();
    expect(fx.procs).toHaveLength(2);
    expect(inst.info().state).toBe('ready');
  });

  it('reads memory buffers, slots and token rates from the engine lines, fresh for every start', async () => {
    const { fx, inst } = setup();
    fx.onSpawn = (p) => {
      p.print('0.00.016.334 I load_tensors:   CPU_Mapped model buffer size =     1.12 MiB');
      p.print('0.00.016.626 I llama_kv_cache:        CPU KV buffer size =     5.00 MiB');
      p.print('0.00.024.433 I sched_reserve:        CPU compute buffer size =     9.52 MiB');
      p.print("0.00.028.404 I srv    load_model: initializing, n_slots = 4, n_ctx_slot = 2048, kv_unified = 'true'");
      p.print('0.00.033.144 I srv  llama_server: model loaded');
    };
    await inst.ensureReady();
    fx.procs[0]!.print('0.00.169.156 I slot print_timing: id  3 | task 0 |        eval time =       4.53 ms /    20 tokens (    0.24 ms per token,  4191.48 tokens per second)');
    const facts = inst.facts();
    expect(facts).toMatchObject({ modelLoaded: true, slots: 4, contextPerSlot: 2048, requestsTimed: 1, lastEval: { tokens: 20, ms: 4.53, tokensPerSecond: 4191.48 } });
    expect(facts.totals).toEqual({ modelBytes: Math.round(1.12 * 2 ** 20), kvBytes: 5 * 2 ** 20, computeBytes: Math.round(9.52 * 2 ** 20) });
    fx.onSpawn = () => {};
    fx.procs[0]!.exit(1);
    await settle();
    await inst.ensureReady();
    expect(inst.facts()).toMatchObject({ modelLoaded: false, buffers: [], requestsTimed: 0 });
  });
});
