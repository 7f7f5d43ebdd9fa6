// Engine download throughput: the installer's download step (streamed to a .part file with sha256
// computed on the fly, progress callbacks, Range-ready) vs `curl -o` of the same file from the same
// local HTTP server (a separate process, so neither client shares its event loop), and vs
// `curl | sha256sum` (the same work as the installer: fetch and hash). Alternating rounds; reports
// MiB/s and the median time ratio installer/baseline.
//   npm run bench -- engine-download [--rounds N] [--mib N]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { download } from '../dist/electron/core/download/download.js';
import { alternate, fmt, table } from './lib/stats.ts';
import { CpuTally, cpuSecondsSince, timedShell } from './lib/cpu.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, mib: { type: 'string', default: '256' } } });
const ROUNDS = Number(values.rounds);
const SIZE = Number(values.mib) * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-dl-'));
const file = join(dir, 'llama-bench-bin-ubuntu-x64.tar.gz');

// Random bytes: incompressible like a real archive.
const hash = createHash('sha256');
const fd = openSync(file, 'w');
for (let left = SIZE; left > 0; left -= 1 << 20) {
  const chunk = randomBytes(Math.min(left, 1 << 20));
  hash.update(chunk);
  writeSync(fd, chunk);
}
closeSync(fd);
const sha256 = hash.digest('hex');

const SERVER = `
const http = require('node:http'); const fs = require('node:fs');
const [file, size] = [process.argv[1], fs.statSync(process.argv[1]).size];
const srv = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'accept-ranges': 'bytes' });
  fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));`;
const server = spawn(process.execPath, ['-e', SERVER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
const url = `http://127.0.0.1:${port}/archive.tar.gz`;

// CPU per client (all its processes and threads): the time ratio depends on how many cores the
// server, the client and its hashing share; the CPU per MiB on the code.
const cpu = new CpuTally();

async function curl(): Promise<number> {
  const out = join(dir, 'curl.out');
  const t0 = performance.now();
  const { cpuSeconds } = await timedShell(`curl -sS -o '${out}' '${url}'`);
  const ms = performance.now() - t0;
  cpu.add('curl', cpuSeconds);
  rmSync(out, { force: true });
  return ms;
}

async function curlSha(): Promise<number> {
  const t0 = performance.now();
  const { stdout: out, cpuSeconds } = await timedShell(`curl -sS '${url}' | sha256sum`);
  const ms = performance.now() - t0;
  cpu.add('curlSha', cpuSeconds);
  if (!out.startsWith(sha256)) throw new Error('checksum mismatch in benchmark');
  return ms;
}

async function installer(): Promise<number> {
  const part = join(dir, 'archive.part');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await download({ url, partPath: part, expectedSha256: sha256, expectedBytes: SIZE, onProgress: () => {} });
  const ms = performance.now() - t0;
  cpu.add('installer', cpuSecondsSince(cpu0));
  if (r.sha256 !== sha256) throw new Error('checksum mismatch in benchmark');
  rmSync(part, { force: true });
  return ms;
}

try {
  await curl(); // warm the page cache
  await installer();
  const r = await alternate(ROUNDS, curl, installer);
  const h = await alternate(ROUNDS, curlSha, installer);
  const mibps = (ms: number) => SIZE / 1048576 / (ms / 1000);
  process.stdout.write(`\nengine archive download, ${values.mib} MiB over loopback, ${ROUNDS} alternating rounds\n\n`);
  process.stdout.write(
    table(
      ['client', 'median ms', 'MiB/s', 'time ratio installer/baseline above (median)', 'ratio p25–p75'],
      [
        ['curl -o (no hashing)', fmt(r.baselineMedian, 0), fmt(mibps(r.baselineMedian), 0), '', ''],
        ['installer download() + sha256', fmt(r.candidateMedian, 0), fmt(mibps(r.candidateMedian), 0), fmt(r.ratio), `${fmt(r.ratioP25)}–${fmt(r.ratioP75)}`],
        ['curl piped to sha256sum', fmt(h.baselineMedian, 0), fmt(mibps(h.baselineMedian), 0), '', ''],
        ['installer download() + sha256 (2nd run)', fmt(h.candidateMedian, 0), fmt(mibps(h.candidateMedian), 0), fmt(h.ratio), `${fmt(h.ratioP25)}–${fmt(h.ratioP75)}`],
      ],
    ) + '\n',
  );
  const mib = SIZE / 1048576;
  process.stdout.write(
    `\nCPU per MiB (user + system, every thread and child): curl -o ${fmt(cpu.msPer('curl', mib), 2)} ms, curl | sha256sum ${fmt(cpu.msPer('curlSha', mib), 2)} ms, installer download() + sha256 ${fmt(cpu.msPer('installer', mib), 2)} ms (the server runs in its own process, counted for none)\n`,
  );
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
