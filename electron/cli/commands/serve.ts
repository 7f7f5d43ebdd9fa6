// `llama-orch serve`: the headless core. Starts the API (and the UI) on host:port, loads the models
// given with --model, and stops every engine on Ctrl-C / SIGTERM.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_PREFIXES, ROUTES } from '../../contract/index.js';
import { Core } from '../../core/core.js';
import { defaultDataDir } from '../../core/paths.js';
import { nameFromPath } from '../../core/deployments/service.js';
import { type CliCommand, port, UsageError } from '../command.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the core headless: OpenAI-compatible API and web UI',
  usage: `llama-orch serve [--model <file.gguf>]... [--engine <path-to-llama-server>] [--host 127.0.0.1] [--port 8585] [--data-dir <dir>]

  --model      GGUF file to serve (repeatable); its id is the file name without .gguf.
               Models in the library (\`llama-orch models\`) are served too, loaded on demand;
               saved deployments (\`llama-orch deploy\`) by name and alias, kept-loaded ones at start.
  --parallel   slots per engine for --model files (concurrent requests; default 4)
  --ctx-size   context tokens per slot for --model files (default: settings, 4096, capped at the model's own)
  --reproducible  serve --model files in reproducible mode (one slot, fixed batch)
  --engine     llama-server binary or engine folder (default: newest engine installed in the data dir)
  --host       address to bind (default: settings, 127.0.0.1 = this machine only; a LAN
               address or 0.0.0.0 needs an API key: see \`llama-orch keys\`)
  --port       port to bind (default: settings, 8585; 0 picks a free one)
  --offline    offline mode for this run: no connection beyond this machine (hub search and
               pulls, engine downloads say "offline mode" instead of trying); also a setting
  --data-dir   data folder (default: ${defaultDataDir()})`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', multiple: true },
        engine: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        parallel: { type: 'string' },
        'ctx-size': { type: 'string' },
        reproducible: { type: 'boolean', default: false },
        offline: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const models = (values.model ?? []).map((m) => resolve(m));
    for (const m of models) if (!existsSync(m)) throw new UsageError(`model file not found: ${m}`);

    const core = new Core({
      dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
      ...(values.host ? { host: values.host } : {}),
      ...(values.port !== undefined ? { port: port(values.port, 8585) } : {}),
      ...(values.engine ? { enginePath: resolve(values.engine) } : {}),
      ...(values.offline ? { offline: true } : {}),
    });
    let stopping: Promise<void> | null = null;
    const stop = (why: string) => {
      if (!stopping) {
        process.stderr.write(`\n${why}: stopping engines…\n`);
        stopping = core.stop();
      }
      return stopping;
    };
    const exitCode = new Promise<number>((resolveExit) => {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void stop(sig).then(() => resolveExit(0)));
    });

    const overrides = {
      ...(values.parallel !== undefined ? { parallel: positiveInt(values.parallel, '--parallel') } : {}),
      ...(values['ctx-size'] !== undefined ? { contextSize: positiveInt(values['ctx-size'], '--ctx-size') } : {}),
    };
    try {
      const url = await core.listen();
      // One write: a reader that waits for the banner line gets the warnings with it.
      const notes = [
        ...(core.offline ? ['  offline mode: no connection beyond this machine'] : []),
        ...(core.reapedOrphans.length > 0 ? [`  ${reapedLine(core.reapedOrphans)}`] : []),
        ...core.deployments.problems.map((problem) => `  warning: ${problem}`),
      ];
      printBanner(core, url, notes);
      // Files given with --model are served as they are asked, without saving a deployment.
      for (const path of models) {
        const entry = core.deployments.addUnsaved({ name: nameFromPath(path), model: path, reproducible: values.reproducible, overrides });
        const inst = await entry.ensureReady().catch((err: Error) => {
          throw new Error(`model ${entry.name} failed to start: ${err.message}`);
        });
        process.stdout.write(`  model ${entry.name}: ready (engine pid ${inst.info().pid})\n`);
      }
    } catch (err) {
      await stop('startup failure');
      throw err;
    }
    return exitCode;
  },
};

function printBanner(core: Core, url: string, notes: string[]): void {
  process.stdout.write(
    `llama-orch serving on ${url}\n  OpenAI API: ${url}${API_PREFIXES.openai}\n  web UI:     ${url}${ROUTES.login}?token=${core.auth.mintLoginToken()}\n  data dir:   ${core.layout.root}\n${notes.map((n) => `${n}\n`).join('')}`,
  );
}

function reapedLine(pids: number[]): string {
  const n = pids.length;
  return `reaped ${n} engine${n === 1 ? '' : 's'} left running by a previous run (pid${n === 1 ? '' : 's'} ${pids.join(', ')})`;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  return n;
}
