// `llama-orch workers add|list|remove`: the RPC workers this main node may place models on, kept in
// the data dir (a running core re-reads the file when it changes). `list` asks each worker now.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RPC_SECURITY_WARNING, type WorkerView } from '../../contract/workers.js';
import { defaultDataDir } from '../../core/paths.js';
import { formatBytes } from '../../core/placement/format.js';
import { HttpError } from '../../core/util/errors.js';
import { WorkerRegistry } from '../../core/workers/registry.js';
import { type CliCommand, port, UsageError } from '../command.js';

const USAGE = `llama-orch workers add <host:port> [--status-port N] | list [--json] | remove <host:port>   [--data-dir <dir>]

  add      register a worker started with \`llama-orch worker --host <its address>\` on another machine;
           its status endpoint is <host>:<port + 1> unless --status-port says otherwise
  list     every worker with its health, devices and free memory (asked now)
  remove   forget a worker (engines already using it keep running until they stop)

${RPC_SECURITY_WARNING}`;

function describe(w: WorkerView): string {
  const devices = w.devices.map((d) => `${d.id} ${d.name}: ${d.freeBytes !== null ? formatBytes(d.freeBytes) : '?'} free of ${d.totalBytes !== null ? formatBytes(d.totalBytes) : '?'}`);
  const state = w.health === 'online' && w.clientConnected ? 'online, in use' : w.health;
  return `${w.address}  ${state}${w.reason ? ` (${w.reason})` : ''}${devices.length ? `\n    ${devices.join('\n    ')}` : ''}`;
}

export const workersCommand: CliCommand = {
  name: 'workers',
  summary: 'add, list or remove RPC workers (other machines lending their devices)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, 'status-port': { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const [action, address, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const registry = new WorkerRegistry(join(resolve(values['data-dir'] ?? defaultDataDir()), 'workers.json'));
    const report = () => {
      for (const p of registry.problems) process.stderr.write(`warning: ${p}\n`);
    };
    if (action === 'list') {
      const views = await registry.check();
      report();
      if (values.json) process.stdout.write(`${JSON.stringify({ data: views, warning: RPC_SECURITY_WARNING, problems: registry.problems }, null, 2)}\n`);
      else process.stdout.write(views.length === 0 ? 'no workers registered (llama-orch workers add <host:port>)\n' : `${views.map(describe).join('\n')}\n`);
      return 0;
    }
    if (!address) throw new UsageError(`${action ?? 'a command'} needs a worker address <host:port>`);
    if (action === 'add') {
      try {
        const statusPort = values['status-port'] !== undefined ? port(values['status-port'], 0) : undefined;
        const entry = registry.add({ address, ...(statusPort ? { statusPort } : {}) });
        report();
        const [view] = (await registry.check()).filter((w) => w.address === entry.address);
        process.stdout.write(`added worker ${entry.address}\n${view ? `  ${describe(view)}\n` : ''}note: ${RPC_SECURITY_WARNING}\n`);
        return 0;
      } catch (err) {
        if (err instanceof HttpError && err.status === 400) throw new UsageError(err.message.replace('field `address`', '<host:port>'));
        throw err;
      }
    }
    if (action === 'remove') {
      if (!registry.remove(address)) throw new Error(`no worker ${address} is registered`);
      process.stdout.write(`removed worker ${address}\n`);
      return 0;
    }
    throw new UsageError(`unknown action '${action}' (add, list or remove)`);
  },
};
