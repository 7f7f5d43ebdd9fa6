// `llama-orch catalog`: the curated first-run models with their size, licence and the planner's
// verdict on this machine, one recommended; the pull command to get it.
import { parseArgs } from 'node:util';
import { catalogFor, loadCatalog } from '../../core/catalog/catalog.js';
import { detectHardware } from '../../core/hardware/detect.js';
import { type CliCommand, UsageError } from '../command.js';

const FIT_WORDS = { gpu: 'fits on the GPU', split: 'fits across the GPUs', partial: 'partly on the GPU (slow)', cpu: 'runs on the CPU' } as const;

export const catalogCommand: CliCommand = {
  name: 'catalog',
  summary: 'well-known models that fit this machine, one recommended (the first-run choice)',
  usage: `llama-orch catalog [--json]

  Every model of the curated catalogue with its size, licence and whether it fits this machine
  (the placement planner on the detected hardware); the recommended one is marked. Get one with
  \`llama-orch models pull <repo>:<file>\` (a mirror works through HF_ENDPOINT).`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } }, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const { verdicts, recommended } = catalogFor(await detectHardware(), loadCatalog());
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ recommended, models: verdicts.map((v) => ({ ...v.entry, fit: v.fit, reason: v.reason, contextSize: v.contextSize })) }, null, 2)}\n`);
      return 0;
    }
    for (const v of verdicts) {
      const mark = v.entry.id === recommended ? '*' : ' ';
      const fit = v.fit ? FIT_WORDS[v.fit] : `does not fit: ${v.reason ?? 'no room'}`;
      process.stdout.write(`${mark} ${v.entry.name.padEnd(36)} ${(v.entry.sizeBytes / 1e9).toFixed(1).padStart(5)} GB  ${v.entry.quant.padEnd(7)} ${v.entry.licence.padEnd(28)} ${fit}\n`);
    }
    const rec = verdicts.find((v) => v.entry.id === recommended);
    process.stdout.write(rec ? `\n* recommended: llama-orch models pull ${rec.entry.repo}:${rec.entry.file}\n` : '\nnothing in the catalogue fits this machine\n');
    return 0;
  },
};
