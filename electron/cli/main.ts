// The `llama-orch` command line: dispatches to one command module each.
import { appVersion } from '../core/version.js';
import { type CliCommand, UsageError } from './command.js';
import { catalogCommand } from './commands/catalog.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { deployCommand, loadCommand, logsCommand, psCommand, unloadCommand } from './commands/deploy.js';
import { enginesCommand } from './commands/engines.js';
import { keysCommand } from './commands/keys.js';
import { kitCommand } from './commands/kit.js';
import { hardwareCommand } from './commands/hardware.js';
import { modelsCommand } from './commands/models.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { printVersion, VERSION_USAGE } from './commands/version.js';
import { workerCommand } from './commands/worker.js';
import { workersCommand } from './commands/workers.js';

const COMMANDS: CliCommand[] = [serveCommand, deployCommand, psCommand, loadCommand, unloadCommand, logsCommand, keysCommand, enginesCommand, hardwareCommand, modelsCommand, planCommand, catalogCommand, kitCommand, diagnoseCommand, reportCommand, workerCommand, workersCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `llama-orch ${appVersion()} — run large language models on your own hardware

Usage: llama-orch <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`llama-orch <command> --help\` for a command's options; \`llama-orch --version --json\` lists the
app version and each installed engine build with its commit, digest and licence.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    try {
      return printVersion(rest);
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n\n${VERSION_USAGE}\n`);
      return 2;
    }
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`error: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
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
