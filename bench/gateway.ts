// Gateway overhead: the same streamed chat requests sent straight to llama-server and through the
// gateway — to the SAME engine process — alternating in rounds, at 1, 8 and 32 concurrent streams.
// The core runs in its own process (bench/lib/gateway-child.ts), like `llama-orch serve`, so the load
// generator here does not share the gateway's event loop. The engine gets one thread so that on a
// small machine the gateway and the load generator are not starved by the engine's spinning threads.
// Reports added time-to-first-token (p50, p99) and the throughput ratio gateway/direct.
//   npm run bench -- gateway [--rounds N] [--tokens N[,N2]] [--threads N] [--levels 1,8,32] [--pin] [--client raw|fetch] [--profile DIR] [--store-ab | --limits | --upstream | --relay]
// --store-ab: the operations store's write cost instead: both paths go through the gateway, with the
// store recording each request ("gateway" columns) or not ("direct" columns, the baseline), alternating.
// --limits: both paths go through the gateway, with an API key without limits ("direct" columns)
// and with a key carrying an allow-list, expiry, rpm and token quotas ("gateway" columns): the
// added time and CPU are what checking a key's limits costs.
// --upstream: the remote-upstream path: the same engine registered as an upstream (its URL and key;
// "gateway" columns, model `bench-up`) against calling that server directly with its key ("direct").
// --tokens 4,128 (two or more answer lengths): the gateway's own CPU is also split into a part per
// request and a part per token (a straight line through the per-request CPU at each length).
// --relay: the floor any proxy pays: "gateway" columns = a bare TCP relay in the core's process
// (net sockets piped both ways to the engine, no HTTP parsing: one read and one write per event),
// against calling the engine directly. Its CPU per token is what reading and writing the events
// costs on this machine (kernel and libuv); the gateway's own figure minus it is what our code adds.
// --client: the load generator. `raw` (default): plain sockets (bench/lib/raw-sse-client.ts), kept
// alive to the gateway as SDK clients do, a new connection per stream to llama-server (which closes
// it after every stream anyway); `fetch`: Node's fetch (undici), several times the CPU per token.
// --profile writes a V8 CPU profile of the core process to DIR (open it in Chrome DevTools).
// --pin (Linux, needs taskset) puts the engine on the last CPU and the core + this load generator on
// the others, so the gateway's CPU time is not taken from the engine's compute: what a machine
// with spare cores (or a GPU doing the compute) sees. Without it everything shares every CPU.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RawSseClient } from './lib/raw-sse-client.ts';
import { fmt, median, quantile, table } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    tokens: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    levels: { type: 'string', default: '1,8,32' },
    profile: { type: 'string' },
    pin: { type: 'boolean', default: false },
    client: { type: 'string', default: 'raw' },
    'store-ab': { type: 'boolean', default: false },
    limits: { type: 'boolean', default: false },
    upstream: { type: 'boolean', default: false },
    relay: { type: 'boolean', default: false },
  },
});
const AB = values['store-ab'];
if ([AB, values.limits, values.upstream, values.relay].filter(Boolean).length > 1) throw new Error('--store-ab, --limits, --upstream and --relay measure different things: one at a time');
if (values.client !== 'raw' && values.client !== 'fetch') throw new Error('--client must be raw or fetch');
const ROUNDS = Number(values.rounds);
const TOKEN_COUNTS = values.tokens!.split(',').map(Number);
/** The answer length of the batches now running. */
let TOKENS = TOKEN_COUNTS[0]!;
const LEVELS = values.levels!.split(',').map(Number);
/** Streams per batch: enough TTFT samples per round at every level. */
const PER_BATCH: Record<number, number> = { 1: 16, 8: 32, 32: 64 };
const MODEL = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();

interface Target {
  url: string;
  key: string | null;
  store?: boolean;
  model?: string;
}
interface Batch {
  ttfts: number[];
  tokensPerSecond: number;
}

let staleRetries = 0;
const failures = new Map<string, number>();

const bodyOf = (i: number, model = 'bench') =>
  JSON.stringify({ model, stream: true, temperature: 0, max_tokens: TOKENS, ignore_eos: true, messages: [{ role: 'user', content: `Story ${i % 16}: once upon a time` }] });

async function stream(t: Target, i: number, raw: RawSseClient | null): Promise<{ ttftMs: number; tokens: number }> {
  if (raw) {
    const before = raw.retries;
    const r = await raw.post('/v1/chat/completions', bodyOf(i, t.model), { 'content-type': 'application/json', ...(t.key ? { authorization: `Bearer ${t.key}` } : {}) });
    if (raw.retries > before) {
      staleRetries += raw.retries - before;
      failures.set(t.url, (failures.get(t.url) ?? 0) + raw.retries - before);
    }
    if (r.status !== 200) throw new Error(`${t.url} answered ${r.status}`);
    return r;
  }
  const t0 = performance.now();
  const send = () =>
    fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(t.key ? { authorization: `Bearer ${t.key}` } : {}) },
      body: bodyOf(i, t.model),
    });
  // llama-server closes kept-alive connections now and then; undici does not retry a POST, so a
  // request that fails before any answer is sent once more (counted and reported).
  let res: Response | null = null;
  for (let attempt = 0; !res; attempt++) {
    try {
      res = await send();
    } catch (err) {
      if (attempt >= 3) throw new Error(`${t === undefined ? '' : t.url} failed 4 times: ${(err as Error).message} (${String((err as { cause?: unknown }).cause)})`);
      staleRetries++;
      failures.set(t.url, (failures.get(t.url) ?? 0) + 1);
    }
  }
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let ttft = -1;
  let tokens = 0;
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let idx;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      if (ev.includes('"content":"')) {
        tokens++;
        if (ttft < 0) ttft = performance.now() - t0;
      }
    }
  }
  return { ttftMs: ttft, tokens };
}

/** One raw client per target and worker, so kept-alive connections carry over between batches. */
const rawClients = new Map<string, RawSseClient>();
function clientFor(t: Target, worker: number): RawSseClient {
  const key = `${t.url} ${t.key} ${t.store ?? ''} ${worker}`;
  let c = rawClients.get(key);
  if (!c) {
    const u = new URL(t.url);
    // The relay closes the client's connection when the engine closes its own (after every stream).
    rawClients.set(key, (c = new RawSseClient(u.hostname, Number(u.port), (t === gateway && !values.relay) || AB || values.limits)));
  }
  return c;
}

/** The core process's CPU time, tokens and requests, per path and answer length (measured batches only). */
interface CpuUse {
  user: number;
  system: number;
  tokens: number;
  requests: number;
}
const coreCpu = new Map<string, CpuUse>();
const cpuKey = (t: Target, tokens: number | 'all') => `${t === gateway ? 'gateway' : 'direct'} ${tokens}`;

/** `total` streams, `concurrency` at a time. */
let measuring = false;

async function batch(t: Target, concurrency: number, total: number): Promise<Batch> {
  if (AB) await setStore(t.store === true);
  const cpu0 = measuring ? await coreCpuMicros() : { user: 0, system: 0 };
  const t0 = performance.now();
  const ttfts: number[] = [];
  let tokens = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      const raw = values.client === 'raw' ? clientFor(t, w) : null;
      while (next < total) {
        const r = await stream(t, next++, raw);
        ttfts.push(r.ttftMs);
        tokens += r.tokens;
      }
    }),
  );
  const tokensPerSecond = tokens / ((performance.now() - t0) / 1000);
  if (measuring) {
    const cpu1 = await coreCpuMicros();
    for (const key of [cpuKey(t, TOKENS), cpuKey(t, 'all')]) {
      const c = coreCpu.get(key) ?? { user: 0, system: 0, tokens: 0, requests: 0 };
      c.user += cpu1.user - cpu0.user;
      c.system += cpu1.system - cpu0.system;
      c.tokens += tokens;
      c.requests += total;
      coreCpu.set(key, c);
    }
  }
  return { ttfts, tokensPerSecond };
}

const child = spawn(
  process.execPath,
  [
    ...(values.profile ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${values.profile}`] : []),
    '--experimental-strip-types',
    '--no-warnings',
    join(import.meta.dirname, 'lib', 'gateway-child.ts'),
    engine,
    MODEL,
    '32',
    '256',
    values.threads!,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, BENCH_KEY_LIMITS: values.limits ? '1' : '0', BENCH_UPSTREAM: values.upstream ? '1' : '0', BENCH_RELAY: values.relay ? '1' : '0' } },
);
const lines = createInterface({ input: child.stdout! });
const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
const info = await new Promise<{ gatewayUrl: string; directUrl: string; key: string; argv: string[]; enginePid: number; plainKey?: string; limitedKey?: string; relayUrl?: string }>(
  (resolve, reject) => {
    void nextLine().then((l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`core exited with ${code}`)));
  },
);
async function coreCpuMicros(): Promise<{ user: number; system: number }> {
  const line = nextLine();
  child.kill('SIGUSR2');
  return JSON.parse(await line) as { user: number; system: number };
}
async function setStore(on: boolean): Promise<void> {
  const line = nextLine();
  child.stdin!.write(`store ${on ? 'on' : 'off'}\n`);
  await line;
}
let pinning = `none (engine, core and load generator share all ${availableParallelism()} CPUs)`;
if (values.pin) {
  const last = availableParallelism() - 1;
  if (last < 1) throw new Error('--pin needs at least 2 CPUs');
  const rest = last === 1 ? '0' : `0-${last - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', String(last), String(info.enginePid)], { stdio: 'ignore' });
  for (const pid of [child.pid!, process.pid]) execFileSync('taskset', ['-a', '-p', '-c', rest, String(pid)], { stdio: 'ignore' });
  pinning = `engine on CPU ${last}, core and load generator on CPU ${rest}`;
}
const direct: Target = AB ? { url: info.gatewayUrl, key: null, store: false } : values.limits ? { url: info.gatewayUrl, key: info.plainKey! } : { url: info.directUrl, key: info.key };
const gateway: Target = AB
  ? { url: info.gatewayUrl, key: null, store: true }
  : values.limits
    ? { url: info.gatewayUrl, key: info.limitedKey! }
    : values.upstream
      ? { url: info.gatewayUrl, key: null, model: 'bench-up' }
      : values.relay
        ? { url: info.relayUrl!, key: info.key }
        : { url: info.gatewayUrl, key: null };
if (AB) console.log('store A/B: "direct" = the gateway without the operations store, "gateway" = with it');
if (values.upstream) console.log('--upstream: "direct" = the server called directly with its key, "gateway" = through the gateway as a remote upstream (alias bench-up)\n');
if (values.relay) console.log('--relay: "direct" = the engine called directly, "gateway" = through a bare TCP relay in the core\'s process (the floor of any proxy)\n');
if (values.limits) console.log('--limits: "direct" = through the gateway with a key without limits, "gateway" = with a key carrying an allow-list, expiry, rpm and token quotas\n');
console.log(
  `engine ${engine}\n  ${info.argv.join(' ')}\nmodel stories260K, ${TOKEN_COUNTS.join(' / ')} tokens per stream, ${ROUNDS} rounds per level, one engine process behind both paths\nload generator: ${values.client}; pinning: ${pinning}\n`,
);

const rows: (string | number)[][] = [];
try {
  for (const tokens of TOKEN_COUNTS)
    for (const n of LEVELS) {
      TOKENS = tokens;
      const total = PER_BATCH[n] ?? 2 * n;
      measuring = false;
      for (let w = 0; w < 2; w++) {
        await batch(direct, n, total);
        await batch(gateway, n, total);
      } // warm-up
      measuring = true;
      const added50: number[] = [];
      const added99: number[] = [];
      const ratios: number[] = [];
      const direct50: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        let d: Batch;
        let g: Batch;
        if (r % 2 === 0) {
          d = await batch(direct, n, total);
          g = await batch(gateway, n, total);
        } else {
          g = await batch(gateway, n, total);
          d = await batch(direct, n, total);
        }
        added50.push(median(g.ttfts) - median(d.ttfts));
        added99.push(quantile(g.ttfts, 0.99) - quantile(d.ttfts, 0.99));
        ratios.push(g.tokensPerSecond / d.tokensPerSecond);
        direct50.push(median(d.ttfts));
      }
      rows.push([
        tokens,
        n,
        fmt(median(direct50)),
        fmt(median(added50), 3),
        `${fmt(quantile(added50, 0.25), 3)} … ${fmt(quantile(added50, 0.75), 3)}`,
        fmt(median(added99), 3),
        fmt(median(ratios), 3),
        `${fmt(quantile(ratios, 0.25), 3)} … ${fmt(quantile(ratios, 0.75), 3)}`,
      ]);
      console.log(`${tokens} tokens, level ${n} done`);
    }
} finally {
  for (const c of rawClients.values()) c.close();
  // Wait for the core to stop its engine, so no llama-server outlives the benchmark.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
console.log(`\nrequests retried after a closed kept-alive connection: ${staleRetries} (${[...failures].map(([u, n]) => `${u === info.directUrl ? 'direct' : 'gateway'}: ${n}`).join(', ') || 'none'})`);
// The core's CPU per token while it serves direct requests is its work besides the gateway (reading
// the engine's log, health checks); the difference is what the gateway itself costs.
// User time is our JavaScript (and V8, GC); system time is the kernel's, mostly the socket reads and
// writes themselves, which a proxy cannot avoid (one read from the engine, one write to the client per event).
const use = (t: Target, tokens: number | 'all') => coreCpu.get(cpuKey(t, tokens)) ?? { user: NaN, system: NaN, tokens: NaN, requests: NaN };
const ownPer = (tokens: number | 'all', per: 'tokens' | 'requests', part: 'user' | 'system' | 'both' = 'both') => {
  const of = (c: CpuUse) => (part === 'user' ? c.user : part === 'system' ? c.system : c.user + c.system) / c[per];
  return of(use(gateway, tokens)) - of(use(direct, tokens));
};
for (const tokens of [...(TOKEN_COUNTS.length > 1 ? TOKEN_COUNTS : []), 'all' as const]) {
  const g = use(gateway, tokens);
  const d = use(direct, tokens);
  const own = ownPer(tokens, 'tokens');
  console.log(
    `core process CPU per streamed token (measured rounds, ${tokens === 'all' ? 'all lengths and levels' : `${tokens}-token answers, all levels`}): ${fmt((g.user + g.system) / g.tokens, 1)} µs through the gateway, ${fmt((d.user + d.system) / d.tokens, 1)} µs while requests go direct (engine log, health checks) — the gateway's own: ${fmt(own, 1)} µs (user ${fmt(ownPer(tokens, 'tokens', 'user'), 1)}, kernel ${fmt(ownPer(tokens, 'tokens', 'system'), 1)}), at 5,000 tokens/s ${fmt((own * 5000) / 1e4, 1)} % of one core`,
  );
}
if (TOKEN_COUNTS.length > 1) {
  // Own CPU per request at each answer length, against tokens per request: a straight line's slope
  // is the cost of one more token, its intercept the cost of a request with none.
  const points = TOKEN_COUNTS.map((t) => ({ x: use(gateway, t).tokens / use(gateway, t).requests, y: ownPer(t, 'requests') }));
  const first = points[0]!;
  const last = points.at(-1)!;
  const perToken = (last.y - first.y) / (last.x - first.x);
  const perRequest = first.y - perToken * first.x;
  console.log(`the gateway's own CPU split (${TOKEN_COUNTS[0]} and ${TOKEN_COUNTS.at(-1)} tokens): ${fmt(perRequest, 0)} µs per request + ${fmt(perToken, 1)} µs per token`);
}
console.log('\n' + table(['tokens', 'streams', 'direct TTFT p50 ms', 'added TTFT p50 ms (median of rounds)', 'added p50 IQR', 'added TTFT p99 ms', 'throughput gateway/direct', 'ratio IQR'], rows));
