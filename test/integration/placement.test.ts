// Placement against the real engine: a CPU plan for stories260K becomes argv, the real llama-server
// starts from it and serves, and what it says it allocated matches the estimate (two context sizes).
// Plus POST /api/v1/plans and `llama-orch plan` on the real core / built CLI.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type PlanResponse } from '../../electron/contract/index.js';
import { planToArgs } from '../../electron/core/engines/args.js';
import { engineTotals } from '../../electron/core/placement/engine-log.js';
import { plan } from '../../electron/core/placement/planner.js';
import { osSnapshot } from '../../electron/core/plans/service.js';
import { readEstimatorInput } from '../../electron/core/plans/read-model.js';
import { freePort } from '../../electron/core/util/net.js';
import { testEnginePath } from '../helpers/engine.js';
import { machine } from '../helpers/machines.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { startTestCore, type TestCore } from '../helpers/core.js';

const MiB = 1024 ** 2;

/** Start llama-server with argv from a plan, wait until it serves, ask one completion, stop it; its log. */
async function runFromPlan(argv: string[]): Promise<{ log: string; completion: string }> {
  const port = await freePort();
  const proc = spawn(testEnginePath(), [...argv, '-lv', '4', '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`llama-server exited (${proc.exitCode}):\n${log.slice(-2000)}`);
        return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200;
      },
      'llama-server started from the plan',
      30_000,
    );
    const res = await fetch(`http://127.0.0.1:${port}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'Once upon a time', n_predict: 8, seed: 1 }) });
    const completion = ((await res.json()) as { content: string }).content;
    return { log, completion };
  } finally {
    proc.kill('SIGTERM');
    await exited;
    expect(isAlive(proc.pid!)).toBe(false);
  }
}

/** Within 5 % or 32 MiB of what the engine logged (the target). */
function within(estimate: number, logged: number): boolean {
  return Math.abs(estimate - logged) <= Math.max(0.05 * logged, 32 * MiB);
}

describe('placement with the real engine', () => {
  for (const [contextSize, parallel] of [
    [512, 1],
    [2048, 2],
  ] as const) {
    it(`starts llama-server from a CPU plan (context ${contextSize} × ${parallel}) and the estimate matches what it allocates`, async () => {
      const model = await readEstimatorInput(STORIES_MODEL);
      const r = plan({ hardware: osSnapshot(), model, modelPath: STORIES_MODEL, overrides: { contextSize, parallel } });
      const p = r.plan!;
      expect(p.fit).toBe('cpu');
      const argv = planToArgs({ modelPath: STORIES_MODEL, alias: 'stories260K', placement: p });
      expect(argv).toEqual(expect.arrayContaining(['--device', 'none', '--fit', 'off', '-c', String(contextSize * parallel), '-np', String(parallel)]));

      const { log, completion } = await runFromPlan(argv);
      expect(completion.length).toBeGreaterThan(0);
      expect(log).toMatch(new RegExp(`n_ctx\\s+= ${contextSize * parallel}\\b`));
      const logged = engineTotals(log);
      const cpu = p.devices.find((d) => d.id === 'CPU')!;
      // The engine prints MiB with two decimals: compare to ±0.01 MiB where the formula is exact.
      expect(Math.abs(cpu.weightsBytes - logged.model)).toBeLessThan(0.01 * MiB);
      expect(Math.abs(cpu.kvBytes - logged.kv)).toBeLessThan(0.01 * MiB);
      expect(Math.abs(cpu.outputBytes - logged.output)).toBeLessThan(0.01 * MiB);
      expect(within(cpu.computeBytes, logged.compute)).toBe(true);
      // Tighter than the target: the compute formula is fitted to within a few percent.
      expect(Math.abs(cpu.computeBytes - logged.compute) / logged.compute).toBeLessThan(0.05);
    });
  }
});

describe('plan previews', () => {
  const token = 'test-admin-token-plans';
  let t: TestCore;
  let url: string;
  const post = (body: unknown, auth = true) =>
    fetch(`${url}${ROUTES.plans}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await startTestCore({ adminToken: token, enginePath: undefined }, []); // no engine: plans only
    ({ url } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('POST /api/v1/plans plans a file for this machine and for a saved snapshot of another', async () => {
    const here = await post({ model: STORIES_MODEL, overrides: { contextSize: 1024 } });
    expect(here.status).toBe(200);
    const a = (await here.json()) as PlanResponse;
    expect(a.model).toMatchObject({ architecture: 'llama', layers: 5, contextLength: 2048 });
    expect(a.plan!.contextSize).toBe(1024);
    expect(a.argv).toEqual(expect.arrayContaining(['-m', STORIES_MODEL, '--fit', 'off']));

    const dual = await post({ model: STORIES_MODEL, hardware: machine('dual-2070') });
    const b = (await dual.json()) as PlanResponse;
    expect(b.plan).toMatchObject({ fit: 'gpu', engineDevices: ['CUDA0'] });
    expect(b.plan!.summary).toMatch(/^GPU 0 \(RTX 2070\): 6\/6 layers/);
  });

  it('refuses bad requests with the field named, and is admin-only', async () => {
    expect((await post({ model: STORIES_MODEL }, false)).status).toBe(401);
    const bad = await post({ model: STORIES_MODEL, overrides: { parallel: 0 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('overrides.parallel');
    const missing = await post({ model: join(t.dataDir, 'nope.gguf') });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/model file not found/);
    const unfit = await post({ model: STORIES_MODEL, overrides: { contextSize: 4096 } });
    expect(((await unfit.json()) as PlanResponse).error).toMatch(/larger than the 2048 tokens the model was trained for/);
  });

  it('llama-orch plan prints the plan for a saved snapshot and the JSON form', () => {
    const snap = join(t.dataDir, 'h100.json');
    writeFileSync(snap, JSON.stringify(machine('h100')));
    // The CLI plans through the core's own services, on a data dir of its own (not the default one).
    const dataDir = join(t.dataDir, 'plan-cli');
    const text = execFileSync(process.execPath, [CLI, 'plan', STORIES_MODEL, '--hardware', snap, '--ctx', '1024', '--data-dir', dataDir], { encoding: 'utf8' });
    // The core's placement settings apply (4 slots by default), as they do for serve.
    expect(text).toMatch(/plan \(gpu\): GPU 0 \(H100 80GB HBM3\): 6\/6 layers, \d+ MiB of 78\.\d GiB free; context 1024 × 4 slots/);
    expect(text).toMatch(/engine args: .*--device CUDA0 -ngl 6 .*--fit off/);
    const json = JSON.parse(execFileSync(process.execPath, [CLI, 'plan', STORIES_MODEL, '--devices', 'cpu', '--json', '--data-dir', dataDir], { encoding: 'utf8' })) as PlanResponse;
    expect(json.plan!.fit).toBe('cpu');
  });
});
