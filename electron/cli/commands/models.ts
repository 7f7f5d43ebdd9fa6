// `llama-orch models list|pull|import|search|rm|verify|inspect`: the model library from the command
// line, in-process on the data dir (no running core needed). Pulls print progress to stderr and are
// paused by Ctrl-C with their bytes kept: the same command (or Resume in the app) continues them.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelFacts, ModelManifest, ProgressEvent } from '../../contract/index.js';
import type { Core } from '../../core/core.js';
import { factsFromGguf, readGguf } from '../../core/models/gguf-facts.js';
import { shardPaths } from '../../core/models/files.js';
import { hubConfig, searchHub, type HubConfig } from '../../core/models/hub.js';
import { defaultDataDir } from '../../core/paths.js';
import { type CliCommand, UsageError } from '../command.js';
import { dataDirOf, withLocalCore } from '../local-core.js';

const USAGE = `llama-orch models <list|pull|import|search|rm|verify|inspect> [options]

  list                                       models in the library, with disk usage, and paused pulls
  pull     <owner/repo>[:<quant|file.gguf>]  download from Hugging Face (or HF_ENDPOINT), e.g.
                                             bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M
           [--id <id>] [--revision <rev>]    Ctrl-C pauses; running it again resumes
  import   <file.gguf|folder> [--link] [--id <id>] [--no-mmproj]
                                             add a local file (copied; --link references it in place);
                                             shard 1 of a split model imports every shard; a vision
                                             projector (mmproj*.gguf) beside it comes with it
  search   <text> [--limit 20]               GGUF repos on the hub
  rm       <id>                              remove a model (refused while an engine serves it)
  verify   <id>                              re-hash the files against the manifest
  inspect  <id|file.gguf>                    GGUF facts: architecture, size, layers, heads, context

  --json       machine-readable output
  --data-dir   data folder (default: ${defaultDataDir()})
  Environment: HF_ENDPOINT (mirror base URL), HF_TOKEN (gated repos).`;

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list, pull, import, search, remove, verify and inspect models',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        link: { type: 'boolean' },
        'no-mmproj': { type: 'boolean' },
        id: { type: 'string' },
        revision: { type: 'string' },
        limit: { type: 'string' },
        'data-dir': { type: 'string' },
      },
      strict: true,
    });
    const [action, arg, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (!['list', 'pull', 'import', 'search', 'rm', 'verify', 'inspect'].includes(action ?? '')) throw new UsageError(action ? `unknown models action '${action}'` : 'models needs an action');
    // The same library, pulls and hub settings as `serve` (one composition root), without listening.
    return withLocalCore(dataDirOf(values), (core) => runAction(core, action!, arg, values));
  },
};

async function runAction(
  core: Core,
  action: string,
  arg: string | undefined,
  values: { json?: boolean | undefined; link?: boolean | undefined; 'no-mmproj'?: boolean | undefined; id?: string | undefined; revision?: string | undefined; limit?: string | undefined },
): Promise<number> {
  const json = values.json ?? false;
  const need = (what: string) => {
    if (!arg) throw new UsageError(`models ${action} needs ${what}`);
    return arg;
  };
  const lib = core.library;
  switch (action) {
    case 'list':
      return list(core, json);
    case 'pull':
      return pull(core, need('a repo, e.g. owner/name:Q4_K_M'), { id: values.id, revision: values.revision }, json);
    case 'import': {
      const m = await lib.import(resolve(need('the path of a .gguf file')), { link: values.link ?? false, noProjector: values['no-mmproj'] ?? false, ...(values.id ? { id: values.id } : {}) });
      return print(json, m, () => `imported ${m.id} (${describe(m.facts)})${m.source.kind === 'import' && m.source.linked ? ', linked in place' : ''}${paired(m)}\n`);
    }
    case 'search':
      return search(hub(core), need('the text to search for'), values.limit, json);
    case 'rm': {
      const m = await lib.remove(need('a model id'));
      return print(json, { removed: m.id }, () => `removed ${m.id}\n`);
    }
    case 'verify': {
      const r = await lib.verify(need('a model id'));
      print(json, r, () => r.files.map((f) => `${f.ok ? 'ok  ' : 'BAD '} ${f.name}${f.error ? `: ${f.error}` : ''}\n`).join('') + (r.ok ? `${r.id}: verified\n` : `${r.id}: verification FAILED\n`));
      return r.ok ? 0 : 1;
    }
    case 'inspect':
      return inspect(core, need('a model id or a .gguf path'), json);
    default:
      throw new UsageError(`unknown models action '${action}'`);
  }
}

/** The hub as the core sees it: the settings' endpoint and token, HF_ENDPOINT/HF_TOKEN, offline mode. */
function hub(core: Core): HubConfig {
  return hubConfig(core.settings.get().hub, process.env, core.offline);
}

function list(core: Core, json: boolean): number {
  const lib = core.library;
  const rows = lib.list();
  for (const p of lib.problems) process.stderr.write(`warning: ${p}\n`);
  // Unfinished pulls of earlier runs, from their records in the downloads folder.
  const pulls = core.pulls.list();
  const pending = pulls.length
    ? `\npaused pulls (\`llama-orch models pull <repo>:<file>\` resumes one):\n${pulls.map((p) => `  ${p.repo}:${p.files[0] ?? ''}  ${bytes(p.bytes)}${p.totalBytes ? ` of ${bytes(p.totalBytes)}` : ''}  → ${p.modelId}\n`).join('')}`
    : '';
  return print(json, { data: rows, totalDiskBytes: lib.totalDiskBytes(), pulls }, () => {
    if (!rows.length) return 'no models yet: `llama-orch models pull <owner/repo>:<quant>` or `llama-orch models import <file.gguf>`\n' + pending;
    const table = [
      ['ID', 'ARCH', 'PARAMS', 'QUANT', 'CONTEXT', 'SIZE', 'SOURCE', 'LICENCE'],
      ...rows.map((m) => [
        m.id,
        m.architecture,
        params(m.parameterCount),
        m.quant ?? '-',
        m.contextLength?.toString() ?? '-',
        bytes(m.sizeBytes),
        m.linked ? 'linked' : m.source,
        m.license?.id ?? '-',
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    return (
      table
        .map((r) =>
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') +
      `\n\n${rows.length} model(s), ${bytes(lib.totalDiskBytes())} in ${lib.modelsDir}\n` +
      pending
    );
  });
}

async function pull(core: Core, spec: string, opts: { id: string | undefined; revision: string | undefined }, json: boolean): Promise<number> {
  const pulls = core.pulls;
  const stopProgress = core.events.subscribe((e) => e.type === 'progress' && !json && printProgress(e));
  const job = await pulls.start({ repo: spec, ...(opts.id ? { id: opts.id } : {}), ...(opts.revision ? { revision: opts.revision } : {}) });
  if (job.bytes > 0 && !json) process.stderr.write(`resuming ${job.repo}: ${bytes(job.bytes)} already downloaded\n`);
  const onSignal = () => pulls.pause(job.id);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const m = await pulls.wait(job.id);
    if (!json && process.stderr.isTTY) process.stderr.write('\n');
    return print(json, m, () => `pulled ${m.id} (${describe(m.facts)})${paired(m)}\n`);
  } catch (err) {
    if (pulls.get(job.id)?.state === 'paused') {
      process.stderr.write(`\npaused; the bytes so far are kept: run the same command (or Resume in the app) to continue\n`);
      return 130;
    }
    throw err;
  } finally {
    stopProgress();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function paired(m: ModelManifest): string {
  return m.mmproj ? `, with vision projector ${m.mmproj.name}` : '';
}

let lastPrinted = -1;
function printProgress(e: ProgressEvent): void {
  const pct = e.totalBytes ? Math.floor((e.bytes / e.totalBytes) * 100) : null;
  const rate = e.bytesPerSecond ? `${bytes(e.bytesPerSecond)}/s` : '';
  const eta = e.etaSeconds !== null && e.etaSeconds !== undefined ? `eta ${Math.ceil(e.etaSeconds)}s` : '';
  const line = `${e.label}  ${bytes(e.bytes)}${e.totalBytes ? ` / ${bytes(e.totalBytes)}` : ''}${pct !== null ? ` (${pct}%)` : ''}  ${rate}  ${eta}`.trimEnd();
  if (process.stderr.isTTY) return void process.stderr.write(`\r${line}\x1b[K`);
  // Not a terminal: one line per 10 %, so logs stay short.
  const step = pct === null ? -1 : Math.floor(pct / 10);
  if (step !== lastPrinted || e.state !== 'running') process.stderr.write(`${line}${e.state !== 'running' ? `  ${e.state}` : ''}\n`);
  lastPrinted = step;
}

async function search(cfg: HubConfig, text: string, limitArg: string | undefined, json: boolean): Promise<number> {
  const limit = limitArg === undefined ? 20 : Number(limitArg);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be an integer from 1 to 100, got '${limitArg}'`);
  const hits = await searchHub(cfg, text, limit);
  return print(json, { data: hits }, () => {
    if (!hits.length) return `no GGUF repos match '${text}' on ${cfg.endpoint}\n`;
    return hits.map((h) => `${h.repo}  (${h.downloads ?? 0} downloads)\n${h.files.map((f) => `    ${h.repo}:${f.quant ?? f.name}  ${f.name}\n`).join('')}`).join('');
  });
}

async function inspect(core: Core, target: string, json: boolean): Promise<number> {
  let facts: ModelFacts;
  let manifest: ModelManifest | null = null;
  const model = core.library.resolve(target);
  if (model) {
    manifest = model;
    facts = model.facts;
  } else if (/\.gguf$/i.test(target) && existsSync(target)) {
    const parsed = [];
    for (const p of shardPaths(resolve(target))) parsed.push(await readGguf(p));
    facts = factsFromGguf(parsed, target);
  } else if (/\.gguf$/i.test(target)) {
    throw new Error(`no such file: ${resolve(target)}`);
  } else {
    core.library.require(target); // throws "not in the library; models: …"
    return 1;
  }
  return print(json, manifest ?? facts, () => {
    const f = facts;
    const rows: [string, string | number | null][] = [
      ['architecture', f.architecture],
      ['name', f.name],
      ['parameters', `${params(f.parameterCount)} (${f.parameterCount})`],
      ['quant', f.quant],
      ['file type', f.fileType],
      ['context length', f.contextLength],
      ['blocks', f.blockCount],
      ['embedding', f.embeddingLength],
      ['feed forward', f.feedForwardLength],
      ['heads', f.headCount],
      ['kv heads', f.headCountKv],
      ['key/value length', f.keyLength !== null || f.valueLength !== null ? `${f.keyLength ?? '-'}/${f.valueLength ?? '-'}` : null],
      ['sliding window', f.slidingWindow],
      ['experts', f.expertCount !== null ? `${f.expertCount} (${f.expertUsedCount ?? '?'} used)` : null],
      ['chat template', f.hasChatTemplate ? 'yes' : 'no'],
      ['licence', f.license ? `${f.license}${f.licenseLink ? ` (${f.licenseLink})` : ''}` : null],
      ['size', `${bytes(f.sizeBytes)} (tensors ${bytes(f.tensorBytes)})`],
      ['per layer', f.layers.length ? `${bytes(Math.max(...f.layers.map((l) => l.bytes)))} max over ${f.layers.length} layers` : null],
      ['other tensors', f.otherTensors.map((t) => `${t.name} ${bytes(t.bytes)}`).join(', ')],
    ];
    const head = manifest ? `${manifest.id}: ${manifest.files.map((x) => x.path).join(', ')}\n` : '';
    return (
      head +
      rows
        .filter(([, v]) => v !== null && v !== '')
        .map(([k, v]) => `  ${k.padEnd(16)} ${v}`)
        .join('\n') +
      '\n'
    );
  });
}

function print(json: boolean, value: unknown, human: () => string): number {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
  return 0;
}

function describe(f: ModelFacts): string {
  return `${f.architecture}, ${params(f.parameterCount)} params, ${f.quant ?? 'unknown quant'}, ${bytes(f.sizeBytes)}`;
}

function params(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}K` : String(n);
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
