// Offline kit throughput: `kit export` (copy + sha256 check of each model file, kit.json) and
// `kit import` (verify while copying into staging, then register: a rename into the library) of a
// model of real (random) bytes, each against `cp` of the same files in the same run. Alternating
// rounds, median ratio with its spread. Engines are left out: their archive is a gzip of the folder.
//   npm run bench -- kit [--rounds 6] [--mb 256]
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Core } from '../dist/electron/core/core.js';
import { exportKit } from '../dist/electron/core/kit/export.js';
import { importKit } from '../dist/electron/core/kit/import.js';
import { appVersion } from '../dist/electron/core/version.js';
import { GGML, llamaModel, writeGguf } from '../test/helpers/gguf-writer.ts';
import { alternate, fmt, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, mb: { type: 'string', default: '256' } } });
const ROUNDS = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-kit-'));
const run = promisify(execFile);

// A llama-shaped Q8_0 model of about N MB whose tensor data is random: `cp` cannot skip holes.
const embd = 1024;
const perBlock = ((4 * embd * embd + 3 * embd * 4096) / 32) * 34;
const blocks = Math.max(1, Math.round((Number(values.mb) * 1e6 - 2 * 32000 * embd * (34 / 32)) / perBlock));
const shape = llamaModel({ name: 'bench', blocks, embd, ffn: 4096, heads: 16, headsKv: 16, vocab: 32000, context: 4096, fileType: 7, weightType: GGML.Q8_0 });
const modelFile = join(dir, 'bench-Q8_0.gguf');
const layout = writeGguf(modelFile, shape.kv, shape.tensors);
const fd = openSync(modelFile, 'r+');
const chunk = Buffer.alloc(1 << 22);
for (let at = layout.dataOffset; at < layout.size; at += chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, layout.size - at), at);
closeSync(fd);

const source = new Core({ dataDir: join(dir, 'source') });
const model = await source.library.import(modelFile);
const bytes = statSync(model.files[0]!.path).size;
const sources = { library: source.library, engines: source.engines, deployments: () => [], settings: () => source.settings.get(), appVersion: appVersion() };
let n = 0;
const kitDir = join(dir, 'kit-fixed');
await exportKit(sources, kitDir);
const kitFile = join(kitDir, 'models', model.id, model.files[0]!.name);

/** Seconds one step takes; what it made is removed after timing. */
async function timed(fn: (out: string) => Promise<unknown>): Promise<number> {
  const out = join(dir, `out-${n++}`);
  const t = performance.now();
  await fn(out);
  const s = (performance.now() - t) / 1000;
  rmSync(out, { recursive: true, force: true });
  return s;
}

const cpTo = (from: string) => (out: string) => run('sh', ['-c', `mkdir -p '${out}' && cp '${from}' '${out}/' && sync -f '${out}'`]);
const exportVsCp = await alternate(
  ROUNDS,
  () => timed(cpTo(model.files[0]!.path)),
  () =>
    timed(async (out) => {
      await exportKit(sources, out);
      await run('sync', ['-f', out]);
    }),
);
const importVsCp = await alternate(
  ROUNDS,
  () => timed(cpTo(kitFile)),
  () =>
    timed(async (out) => {
      const core = new Core({ dataDir: out });
      const t = { library: core.library, engines: core.engines, deployments: core.deployments, downloadsDir: core.layout.downloads, defaultEngine: () => null, setDefaultEngine: () => undefined };
      await importKit(t, kitDir);
      await core.stop();
      await run('sync', ['-f', out]);
    }),
);
await source.stop();
rmSync(dir, { recursive: true, force: true });

const mbps = (s: number) => fmt(bytes / 1e6 / s, 0);
process.stdout.write(
  `kit throughput, ${fmt(bytes / 1e6, 0)} MB model, ${ROUNDS} alternating rounds (time ratio: >1 = slower than cp)\n\n` +
    table(
      ['step', 'cp of the same file', 'llama-orch', 'ratio kit/cp (time)', 'IQR'],
      [
        [
          'kit export (copy + sha256 check + kit.json)',
          `${mbps(exportVsCp.baselineMedian)} MB/s`,
          `${mbps(exportVsCp.candidateMedian)} MB/s`,
          fmt(exportVsCp.ratio),
          `${fmt(exportVsCp.ratioP25)}–${fmt(exportVsCp.ratioP75)}`,
        ],
        [
          'kit import (verify while copying + register)',
          `${mbps(importVsCp.baselineMedian)} MB/s`,
          `${mbps(importVsCp.candidateMedian)} MB/s`,
          fmt(importVsCp.ratio),
          `${fmt(importVsCp.ratioP25)}–${fmt(importVsCp.ratioP75)}`,
        ],
      ],
    ) +
    '\n',
);
