// The `llama-orch` command line: dispatches to one command module each.
import { appVersion } from '../core/version.js';
import { type CliCommand, UsageError } from './command.js';

// Each command's module is imported only when that command runs: importing all of them (the whole
// core, for `serve`) was most of the start-up time of a short command such as `hardware --json`.
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  deploy: async () => (await import('./commands/deploy.js')).deployCommand,
  ps: async () => (await import('./commands/deploy.js')).psCommand,
  load: async () => (await import('./commands/deploy.js')).loadCommand,
  unload: async () => (await import('./commands/deploy.js')).unloadCommand,
  logs: async () => (await import('./commands/deploy.js')).logsCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
  upstreams: async () => (await import('./commands/upstreams.js')).upstreamsCommand,
  engines: async () => (await import('./commands/engines.js')).enginesCommand,
  hardware: async () => (await import('./commands/hardware.js')).hardwareCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  catalog: async () => (await import('./commands/catalog.js')).catalogCommand,
  kit: async () => (await import('./commands/kit.js')).kitCommand,
  diagnose: async () => (await import('./commands/diagnose.js')).diagnoseCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  workers: async () => (await import('./commands/workers.js')).workersCommand,
};

async function help(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return `llama-orch ${appVersion()} — run large language models on your own hardware

Usage: llama-orch <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`llama-orch <command> --help\` for a command's options; \`llama-orch --version --json\` lists the
app version and each installed engine build with its commit, digest and licence.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    // Loaded here, not at the top: it reads the engine manifests through the contract (zod), a cost
    // every other command would pay at start-up.
    const { printVersion, VERSION_USAGE } = await import('./commands/version.js');
    try {
      return printVersion(rest);
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n\n${VERSION_USAGE}\n`);
      return 2;
    }
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`error: unknown command '${name}'\n\n${await help()}`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`error: ${(err as Error).message}\n${usage ? `\n${cmd.usage}\n` : ''}`);
    return usage ? 2 : 1;
  }
}
