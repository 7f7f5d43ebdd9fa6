// Model pulls: a whole `models pull` (hub API calls, Range download with sha256 while streaming,
// verification, GGUF header read, move into the library) vs `curl -o` of the same file from the same
// local server and vs `curl | sha256sum` (the same work: fetch and hash); the cost of hashing (download() vs a plain fetch→file stream); and the time to read
// the GGUF metadata of large sparse models. Alternating rounds, median ratio with its spread.
//   npm run bench -- model-pull [--rounds 6] [--mb 200]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { download } from '../dist/electron/core/download/download.js';
import { readGguf } from '../dist/electron/core/models/gguf-facts.js';
import { ModelLibrary } from '../dist/electron/core/models/library.js';
import { PullManager } from '../dist/electron/core/models/pull.js';
import { Listeners } from '../dist/electron/core/util/emitter.js';
import { GGML, LLAMA_3_1_8B_Q4_K_M, llamaModel, writeGguf } from '../test/helpers/gguf-writer.ts';
import { alternate, fmt, median, quantile, table } from './lib/stats.ts';
import { CpuTally, cpuSecondsSince, timedShell } from './lib/cpu.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, mb: { type: 'string', default: '200' } } });
const ROUNDS = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-pull-'));
const REPO = 'bench/sparse-GGUF';
const FILE = 'sparse-Q8_0.gguf';

// A ~N MB llama-shaped Q8_0 model, tensor data a hole (zeros when read).
const embd = 1024;
const perBlock = ((4 * embd * embd + 3 * embd * 4096) / 32) * 34;
const blocks = Math.max(1, Math.round((Number(values.mb) * 1e6 - 2 * 32000 * embd * (34 / 32)) / perBlock));
const model = join(dir, FILE);
const small = llamaModel({ name: 'bench', blocks, embd, ffn: 4096, heads: 16, headsKv: 16, vocab: 32000, context: 4096, fileType: 7, weightType: GGML.Q8_0 });
const { size } = writeGguf(model, small.kv, small.tensors);
const sha = await sha256(model);

// The server runs in its own process (as a real mirror would): in this process it would share one
// event loop with the downloader and bias the comparison against it.
const SERVER_JS = `
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
const [model, sha, size, repo, file] = process.argv.slice(1);
const total = Number(size);
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const json = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (path.startsWith('/api/models/' + repo + '/revision/')) return json({ _id: 'x', id: repo, sha: 'b'.repeat(40), downloads: 0, likes: 0, lastModified: '2026-01-01T00:00:00Z' });
  if (path.startsWith('/api/models/' + repo + '/tree/')) return json([{ type: 'file', path: file, size: 134, oid: 'x', lfs: { oid: sha, size: total, pointerSize: 134 } }]);
  if (!path.endsWith('/' + file)) return res.writeHead(404).end();
  const m = /^bytes=(\\d+)-(\\d*)$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const end = m && m[2] ? Number(m[2]) : total - 1;
  res.writeHead(m ? 206 : 200, { 'content-length': end - start + 1, 'accept-ranges': 'bytes', ...(m ? { 'content-range': 'bytes ' + start + '-' + end + '/' + total } : {}) });
  createReadStream(model, { start, end, highWaterMark: 1 << 20 }).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;
const server = spawn(process.execPath, ['--input-type=module', '-e', SERVER_JS, model, sha, String(size), REPO, FILE], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
const base = `http://127.0.0.1:${port}`;

const url = `${base}/${REPO}/resolve/main/${FILE}`;
let n = 0;

// CPU per client (all its processes and threads): on 2 cores the server, the client and its hashing
// compete, so the time ratio depends on the machine and the CPU per MB on the code.
const cpu = new CpuTally();

async function curl(): Promise<number> {
  const out = join(dir, `curl-${n++}.gguf`);
  const t0 = performance.now();
  const { cpuSeconds } = await timedShell(`curl -sS -f -o '${out}' '${url}'`);
  const s = (performance.now() - t0) / 1000;
  cpu.add('curl', cpuSeconds);
  if (statSync(out).size !== size) throw new Error('curl got a short file');
  rmSync(out);
  return s;
}

async function curlSha(): Promise<number> {
  const t0 = performance.now();
  const { stdout, cpuSeconds } = await timedShell(`curl -sS -f '${url}' | sha256sum`);
  const s = (performance.now() - t0) / 1000;
  cpu.add('curlSha', cpuSeconds);
  if (!stdout.startsWith(sha)) throw new Error('curl | sha256sum got a different digest');
  return s;
}

async function pull(): Promise<number> {
  const data = join(dir, `data-${n++}`);
  const library = new ModelLibrary({ modelsDir: join(data, 'models') });
  const pulls = new PullManager({ library, downloadsDir: join(data, 'downloads'), events: new Listeners(), hub: () => ({ endpoint: base, token: null }) });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const job = await pulls.start({ repo: REPO });
  await pulls.wait(job.id);
  const s = (performance.now() - t0) / 1000;
  cpu.add('pull', cpuSecondsSince(cpu0));
  rmSync(data, { recursive: true, force: true });
  return s;
}

async function plainFetch(): Promise<number> {
  const out = join(dir, `plain-${n++}.part`);
  const t0 = performance.now();
  const res = await fetch(url);
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(out));
  const s = (performance.now() - t0) / 1000;
  rmSync(out);
  return s;
}

async function hashedDownload(connections = 1): Promise<number> {
  const out = join(dir, `dl-${n++}.part`);
  const t0 = performance.now();
  await download({ url, partPath: out, expectedSha256: sha, expectedBytes: size, connections });
  const s = (performance.now() - t0) / 1000;
  rmSync(out);
  return s;
}

const MB = size / 1e6;
process.stdout.write(`model-pull: ${fmt(MB, 0)} MB sparse GGUF (${blocks} blocks), ${ROUNDS} alternating rounds, curl ${execFileSync('curl', ['--version'], { encoding: 'utf8' }).split(' ')[1]}\n\n`);
await curl();
await pull();
const vsCurl = await alternate(ROUNDS, curl, pull);
const vsCurlSha = await alternate(ROUNDS, curlSha, pull);
const hashing = await alternate(ROUNDS, plainFetch, () => hashedDownload(1));
// Loopback has no per-connection limit to escape: this row shows what the slices cost, not what they win on a CDN.
const ranged = await alternate(ROUNDS, curlSha, () => hashedDownload(4));

// Metadata read of big sparse models: the 8B Q4_K_M shape (128K-token vocab in the header) and a 70B-like one.
const big8 = join(dir, 'llama-3.1-8b-q4_k_m.gguf');
const shape8 = llamaModel(LLAMA_3_1_8B_Q4_K_M);
const s8 = writeGguf(big8, shape8.kv, shape8.tensors).size;
const big70 = join(dir, 'llama-70b-q4_k_m.gguf');
const shape70 = llamaModel({ ...LLAMA_3_1_8B_Q4_K_M, name: '70B', blocks: 80, embd: 8192, ffn: 28672, heads: 64 });
const s70 = writeGguf(big70, shape70.kv, shape70.tensors).size;
const metaTimes = async (path: string) => {
  const t: number[] = [];
  for (let i = 0; i < Math.max(5, ROUNDS); i++) {
    const t0 = performance.now();
    await readGguf(path);
    t.push(performance.now() - t0);
  }
  return t;
};
const m8 = await metaTimes(big8);
const m70 = await metaTimes(big70);

const mbps = (s: number) => fmt(MB / s, 0);
process.stdout.write(
  table(
    ['comparison', 'baseline', 'candidate', 'ratio cand/base (time)', 'IQR'],
    [
      [
        'pull vs curl (whole file)',
        `curl ${mbps(vsCurl.baselineMedian)} MB/s`,
        `models pull ${mbps(vsCurl.candidateMedian)} MB/s`,
        fmt(vsCurl.ratio),
        `${fmt(vsCurl.ratioP25)}–${fmt(vsCurl.ratioP75)}`,
      ],
      [
        'pull vs curl piped to sha256sum (same work)',
        `curl piped to sha256sum ${mbps(vsCurlSha.baselineMedian)} MB/s`,
        `models pull ${mbps(vsCurlSha.candidateMedian)} MB/s`,
        fmt(vsCurlSha.ratio),
        `${fmt(vsCurlSha.ratioP25)}–${fmt(vsCurlSha.ratioP75)}`,
      ],
      [
        '4 ranged connections vs curl piped to sha256sum',
        `curl piped to sha256sum ${mbps(ranged.baselineMedian)} MB/s`,
        `download() ×4 ${mbps(ranged.candidateMedian)} MB/s`,
        fmt(ranged.ratio),
        `${fmt(ranged.ratioP25)}–${fmt(ranged.ratioP75)}`,
      ],
      [
        'hashing overhead',
        `fetch→file ${mbps(hashing.baselineMedian)} MB/s`,
        `download()+sha256 ${mbps(hashing.candidateMedian)} MB/s`,
        fmt(hashing.ratio),
        `${fmt(hashing.ratioP25)}–${fmt(hashing.ratioP75)}`,
      ],
    ],
  ) + '\n\n',
);
process.stdout.write(
  `CPU per MB (user + system, every thread and child): curl -o ${fmt(cpu.msPer('curl', MB), 2)} ms, curl | sha256sum ${fmt(cpu.msPer('curlSha', MB), 2)} ms, models pull ${fmt(cpu.msPer('pull', MB), 2)} ms (the server runs in its own process, counted for none)\n\n`,
);
process.stdout.write(
  table(
    ['metadata read (readGguf)', 'file size', 'median ms', 'p90 ms'],
    [
      ['Llama-3.1-8B Q4_K_M shape', `${fmt(s8 / 1e9)} GB`, fmt(median(m8), 1), fmt(quantile(m8, 0.9), 1)],
      ['70B Q4_K_M shape', `${fmt(s70 / 1e9)} GB`, fmt(median(m70), 1), fmt(quantile(m70, 0.9), 1)],
    ],
  ) + '\n',
);

server.kill();
rmSync(dir, { recursive: true, force: true });

function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  return new Promise((resolve, reject) =>
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject),
  );
}
