// Runs a core with one model in its own process (as `llama-orch serve` would) and prints, as one
// JSON line, the gateway URL and the URL + key of the very engine it started, so a benchmark can
// send the same requests both ways without the load generator sharing the gateway's event loop.
//   node --experimental-strip-types bench/lib/gateway-child.ts <engine> <model.gguf> <parallel> <ctx-per-slot> [threads]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, createServer, type Server } from 'node:net';
import { Core } from '../../dist/electron/core/core.js';

const [engine, model, parallel, ctx, threads] = process.argv.slice(2);
const dataDir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-'));
const core = new Core({ dataDir, port: 0, enginePath: engine! });
core.deployments.addUnsaved({ name: 'bench', model: model!, overrides: { parallel: Number(parallel), contextSize: Number(ctx) }, ...(threads ? { extraFlags: ['-t', threads] } : {}) });
// Whatever happens from here on, the engine is stopped before this process ends: SIGTERM/SIGINT,
// the benchmark dying (our stdin closes), or a crash of our own.
let stopping = false;
const stop = (code = 0) => {
  if (stopping) return;
  stopping = true;
  void core.stop().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  });
};
process.on('SIGTERM', () => stop());
process.on('SIGINT', () => stop());
process.stdin.on('end', () => stop());
// `store on|off` on stdin: the gateway records requests in the operations store, or not (the store's
// write cost A/B of `bench gateway --store-ab`); answered with one JSON line.
const recordRequest = core.store.recordRequest.bind(core.store);
createInterface({ input: process.stdin }).on('line', (line) => {
  const on = line.trim() === 'store on';
  core.store.recordRequest = on ? recordRequest : () => undefined;
  process.stdout.write(JSON.stringify({ store: on }) + '\n');
});
process.stdout.on('error', () => stop());
process.on('uncaughtException', (err) => {
  process.stderr.write(`gateway-child: ${err.stack ?? String(err)}\n`);
  stop(1);
});
// SIGUSR2: report this process's CPU time so far (the gateway's cost, engine excluded).
process.on('SIGUSR2', () => {
  const u = process.cpuUsage();
  process.stdout.write(JSON.stringify({ user: u.user, system: u.system }) + '\n');
});
// BENCH_KEY_LIMITS=1: two keys, one plain and one carrying every limit (none ever reached), to
// measure what checking them costs (npm run bench -- gateway --limits).
const keys =
  process.env.BENCH_KEY_LIMITS === '1'
    ? {
        plainKey: core.keys.create('bench-plain', 'inference').key,
        limitedKey: core.keys.create('bench-limited', 'inference', { models: ['bench'], expiresAt: '2099-12-31', rpm: 100_000_000, tokensPerDay: 1_000_000_000_000, tokensPerMonth: 1_000_000_000_000 })
          .key,
      }
    : {};
const gatewayUrl = await core.listen();
const inst = await core.deployments.get('bench')!.ensureReady();
// BENCH_UPSTREAM=1: the same engine registered as a remote upstream (its URL and key), answering the
// alias `bench-up`, so the remote-upstream path is measured against calling that server directly.
if (process.env.BENCH_UPSTREAM === '1')
  core.upstreams.add({ name: 'up', baseUrl: inst.baseUrl()!, apiKey: inst.apiKey, prefix: null, aliases: { 'bench-up': 'bench' }, maxConcurrent: 64, healthIntervalSeconds: 60 });
// BENCH_RELAY=1: a bare TCP relay to the engine (no HTTP parsing), the floor of any proxy's cost.
const relayUrl = process.env.BENCH_RELAY === '1' ? await startRelay(new URL(inst.baseUrl()!)) : undefined;
process.stdout.write(JSON.stringify({ gatewayUrl, directUrl: inst.baseUrl(), key: inst.apiKey, argv: inst.info().argv, enginePid: inst.info().pid, relayUrl, ...keys }) + '\n');

async function startRelay(engine: URL): Promise<string> {
  const server: Server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: engine.hostname, port: Number(engine.port), noDelay: true });
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}
