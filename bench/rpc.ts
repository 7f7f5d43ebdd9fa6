// RPC split vs one machine: decode tokens/s of stories260K on llama-server with every layer on this
// CPU, against the plan the planner makes with a local RAM limit that sends part of the layers to an
// RPC worker (`llama-orch worker`'s rpc-server on 127.0.0.1, so the "network" is loopback: this is
// the protocol's own cost, not a LAN's). Same engine, threads, prompt and seed; alternating rounds,
// median ratio split/single with its spread.
//   npm run bench -- rpc [--rounds N] [--tokens N]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planToArgs } from '../dist/electron/core/engines/args.js';
import { plan } from '../dist/electron/core/placement/planner.js';
import { osSnapshot } from '../dist/electron/core/plans/service.js';
import { readEstimatorInput } from '../dist/electron/core/plans/read-model.js';
import { freePort } from '../dist/electron/core/util/net.js';
import { WorkerNode, rpcServerBeside } from '../dist/electron/core/workers/worker-node.js';
import { alternate, fmt, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '11' }, tokens: { type: 'string', default: '128' } } });
const ROUNDS = Number(values.rounds);
const TOKENS = Number(values.tokens);
const MODEL = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();
const rpcServer = rpcServerBeside(engine);
if (!rpcServer) throw new Error(`no rpc-server beside ${engine}`);
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-rpc-'));
const rpcPort = await freePort();
const worker = new WorkerNode({ rpcServer, host: '127.0.0.1', port: rpcPort, statusPort: await freePort(), runDir: join(dir, 'run'), logsDir: join(dir, 'logs'), args: ['--threads', '1'] });

interface Engine {
  port: number;
  child: ChildProcess;
}

async function startEngine(args: string[]): Promise<Engine> {
  const port = await freePort();
  const child = spawn(engine, [...args, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { port, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`llama-server ${args.join(' ')} did not become healthy`);
}

/** Decode tokens/s as the engine measured it (prompt processing excluded). */
async function tokensPerSecond(e: Engine): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${e.port}/completion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Once upon a time', n_predict: TOKENS, temperature: 0, seed: 1, ignore_eos: true, cache_prompt: false }),
  });
  const body = (await res.json()) as { timings: { predicted_per_second: number; predicted_n: number } };
  if (body.timings.predicted_n !== TOKENS) throw new Error(`expected ${TOKENS} tokens, got ${body.timings.predicted_n}`);
  return body.timings.predicted_per_second;
}

const engines: Engine[] = [];
try {
  await worker.start();
  const status = worker.status();
  const model = await readEstimatorInput(MODEL);
  const hardware = osSnapshot();
  const remote = status.devices.map((d, position) => ({
    worker: status.endpoint,
    id: d.id,
    position,
    workerDevices: status.devices.length,
    name: d.name,
    kind: d.kind,
    totalBytes: d.totalBytes,
    freeBytes: d.freeBytes,
    usable: true,
    reason: null,
  }));
  const overrides = { parallel: 1 };
  const single = plan({ hardware, model, modelPath: MODEL, overrides: { ...overrides, workers: 'never' } }).plan!;
  const split = plan({ hardware, model, modelPath: MODEL, remote, overrides: { ...overrides, localRamLimitMiB: 5 } });
  if (!split.plan?.rpcServers) throw new Error(`the planner did not split: ${split.error}`);
  const extra = ['--no-warmup', '-t', '1'];
  const a = await startEngine(planToArgs({ modelPath: MODEL, alias: 'single', placement: single, extra }));
  engines.push(a);
  const b = await startEngine(planToArgs({ modelPath: MODEL, alias: 'split', placement: split.plan, extra }));
  engines.push(b);
  await tokensPerSecond(a);
  await tokensPerSecond(b);
  const r = await alternate(
    ROUNDS,
    () => tokensPerSecond(a),
    () => tokensPerSecond(b),
  );
  const layers = split.plan.devices.map((d) => `${d.worker ? 'worker' : 'here'} ${d.layers}${d.hasOutput ? '+out' : ''}`).join(', ');
  process.stdout.write(`single tok/s: ${r.baseline.map((v) => fmt(v, 0)).join(' ')}\nsplit tok/s: ${r.candidate.map((v) => fmt(v, 0)).join(' ')}\n`);
  process.stdout.write(`\ndecode tokens/s, ${TOKENS} tokens, ${ROUNDS} alternating rounds (stories260K, 1 thread each; split: ${layers}; ${split.plan.network?.text ?? ''})\n\n`);
  process.stdout.write(
    table(
      ['plan', 'median tok/s', 'ratio split/single (median)', 'ratio p25–p75'],
      [
        ['every layer on this CPU', fmt(r.baselineMedian, 0), '', ''],
        [`this CPU + RPC worker on 127.0.0.1 (${split.plan.engineDevices.join(',')}, -ngl ${split.plan.nGpuLayers})`, fmt(r.candidateMedian, 0), fmt(r.ratio), `${fmt(r.ratioP25)}–${fmt(r.ratioP75)}`],
      ],
    ) + '\n',
  );
} finally {
  for (const e of engines) e.child.kill('SIGTERM');
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
