// Gateway overhead: the same streamed chat requests sent straight to llama-server and through the
// gateway, to the SAME engine process, alternating in rounds, at 1, 8 and 32 concurrent streams.
// Reports added time-to-first-token (p50, p99) and the throughput ratio gateway/direct.
//   npm run bench -- gateway [--rounds N] [--tokens N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Core } from '../dist/electron/core/core.js';
import { fmt, median, quantile, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, tokens: { type: 'string', default: '64' } } });
const ROUNDS = Number(values.rounds);
const TOKENS = Number(values.tokens);
const LEVELS = [1, 8, 32];
const MODEL = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();

interface StreamResult { ttftMs: number; tokens: number }
interface Batch { ttfts: number[]; tokensPerSecond: number }

async function stream(url: string, key: string | null, i: number): Promise<StreamResult> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: 'stories260K', stream: true, temperature: 0, max_tokens: TOKENS, ignore_eos: true, messages: [{ role: 'user', content: `Story ${i}: once upon a time` }] }),
  });
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

async function batch(url: string, key: string | null, n: number): Promise<Batch> {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => stream(url, key, i)));
  const secs = (performance.now() - t0) / 1000;
  return { ttfts: results.map((r) => r.ttftMs), tokensPerSecond: results.reduce((a, r) => a + r.tokens, 0) / secs };
}

const dataDir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-'));
const core = new Core({ dataDir, port: 0, enginePath: engine });
core.models.add({ id: 'stories260K', path: MODEL, plan: { parallel: 32, contextSize: 256 } });
const gatewayUrl = await core.listen();
const inst = await core.models.ensureInstance('stories260K');
await inst.ensureReady();
const directUrl = inst.baseUrl()!;
console.log(`engine ${engine}\nmodel stories260K, ${TOKENS} tokens per stream, ${ROUNDS} rounds per level, same engine process for both paths\n`);

const rows: (string | number)[][] = [];
try {
  for (const n of LEVELS) {
    for (let w = 0; w < 2; w++) { await batch(directUrl, inst.apiKey, n); await batch(gatewayUrl, null, n); } // warm-up
    const added50: number[] = [];
    const added99: number[] = [];
    const ratios: number[] = [];
    const direct50: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let d: Batch;
      let g: Batch;
      if (r % 2 === 0) {
        d = await batch(directUrl, inst.apiKey, n);
        g = await batch(gatewayUrl, null, n);
      } else {
        g = await batch(gatewayUrl, null, n);
        d = await batch(directUrl, inst.apiKey, n);
      }
      added50.push(median(g.ttfts) - median(d.ttfts));
      added99.push(quantile(g.ttfts, 0.99) - quantile(d.ttfts, 0.99));
      ratios.push(g.tokensPerSecond / d.tokensPerSecond);
      direct50.push(median(d.ttfts));
    }
    rows.push([n, fmt(median(direct50)), fmt(median(added50), 3), `${fmt(quantile(added50, 0.25), 3)} … ${fmt(quantile(added50, 0.75), 3)}`, fmt(median(added99), 3), fmt(median(ratios), 3), `${fmt(quantile(ratios, 0.25), 3)} … ${fmt(quantile(ratios, 0.75), 3)}`]);
    console.log(`level ${n} done`);
  }
} finally {
  await core.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log('\n' + table(['streams', 'direct TTFT p50 ms', 'added TTFT p50 ms (median)', 'added p50 IQR', 'added TTFT p99 ms', 'throughput gateway/direct', 'ratio IQR'], rows));
