// Estimator accuracy against the engine itself: for stories260K and realistic model shapes (sparse GGUF
// files with the real hyperparameters and tensor types of Llama-3.1-8B Q4_K_M, Qwen2.5-7B Q4_K_M and
// Mistral-Nemo-12B Q8_0, zero weights), plan a CPU placement, start llama-server with the plan's argv,
// read the buffers it says it allocated (`-lv 4`) and print estimate vs logged per component.
// The baseline is the engine's own log; target: every component within 5 % or 32 MiB.
//   npm run bench -- estimator [--ctx 4096,16384]
// Weight repacking is turned off (--no-repack) so the engine maps the file instead of copying ~13 GB;
// with repacking the same bytes are split between CPU_Mapped and CPU_REPACK buffers.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planToArgs } from '../dist/electron/core/engines/args.js';
import { engineTotals } from '../dist/electron/core/placement/engine-log.js';
import { plan } from '../dist/electron/core/placement/planner.js';
import { osSnapshot } from '../dist/electron/core/plans/service.js';
import { readEstimatorInput } from '../dist/electron/core/plans/read-model.js';
import { freePort } from '../dist/electron/core/util/net.js';
import { ensureShapeFile, SHAPES } from '../test/helpers/model-shapes.ts';
import { table } from './lib/stats.ts';

const { values } = parseArgs({ options: { ctx: { type: 'string', default: '4096,16384' } } });
const CONTEXTS = values.ctx.split(',').map(Number);
const MiB = 1024 * 1024;
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();
const STORIES = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');

/** Start the engine from argv, wait until it listens (or dies), stop it; its stderr. */
async function engineLog(argv: string[]): Promise<string> {
  const port = await freePort();
  const proc = spawn(engine, [...argv, '-lv', '4', '--no-warmup', '--no-repack', '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 120_000;
  while (!/listening on|exiting due to/.test(log) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  proc.kill('SIGTERM');
  await exited;
  if (!/listening on/.test(log)) throw new Error(`llama-server did not start:\n${log.slice(-3000)}`);
  return log;
}

const rows: (string | number)[][] = [];
let worst = 0;
let misses = 0;
const models: [string, string, number[]][] = [['stories260K', STORIES, [512, 2048]], ...SHAPES.map((s): [string, string, number[]] => [s.id, ensureShapeFile(s), CONTEXTS])];
for (const [name, path, contexts] of models) {
  const model = await readEstimatorInput(path);
  for (const contextSize of contexts) {
    for (const flashAttention of ['on', 'off'] as const) {
      const r = plan({ hardware: osSnapshot(), model, modelPath: path, overrides: { devices: ['cpu'], contextSize, parallel: 1, flashAttention, force: true } });
      if (!r.plan) throw new Error(`${name}: ${r.error}`);
      const cpu = r.plan.devices.find((d) => d.id === 'CPU')!;
      const logged = engineTotals(await engineLog(planToArgs({ modelPath: path, alias: name, placement: r.plan })));
      for (const [component, est, got] of [
        ['weights', cpu.weightsBytes, logged.model],
        ['KV cache', cpu.kvBytes, logged.kv],
        ['compute', cpu.computeBytes, logged.compute],
        ['output', cpu.outputBytes, logged.output],
      ] as const) {
        const errPct = got === 0 ? 0 : ((est - got) / got) * 100;
        const ok = Math.abs(est - got) <= Math.max(0.05 * got, 32 * MiB);
        if (!ok) misses++;
        if (got > MiB) worst = Math.max(worst, Math.abs(errPct));
        rows.push([name, contextSize, flashAttention, component, (est / MiB).toFixed(2), (got / MiB).toFixed(2), `${errPct >= 0 ? '+' : ''}${errPct.toFixed(2)} %`, ok ? 'yes' : 'NO']);
      }
      process.stderr.write(`${name} ctx ${contextSize} fa ${flashAttention}: done\n`);
    }
  }
}
console.log(table(['model', 'context', 'flash attn', 'component', 'estimate MiB', 'engine MiB', 'error', 'within 5 % / 32 MiB'], rows));
console.log(`\nworst error on components over 1 MiB: ${worst.toFixed(2)} %; components outside the target: ${misses}`);
process.exit(misses === 0 ? 0 : 1);
