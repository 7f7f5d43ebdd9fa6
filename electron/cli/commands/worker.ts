// `llama-orch worker`: run this machine as an RPC worker of a main node (llama.cpp's rpc-server,
// supervised), until Ctrl-C / SIGTERM. Binds 127.0.0.1 unless --host names one address explicitly.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStatusPort, RPC_SECURITY_WARNING } from '../../contract/workers.js';
import { resolveEngine } from '../../core/engines/locate.js';
import { dataLayout, defaultDataDir } from '../../core/paths.js';
import { resolveBind } from '../../core/util/net.js';
import { formatBytes } from '../../core/placement/format.js';
import { rpcServerBeside, WorkerNode } from '../../core/workers/worker-node.js';
import { type CliCommand, port, UsageError } from '../command.js';

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: "lend this machine's devices to a main node (llama.cpp RPC worker)",
  usage: `llama-orch worker [--host 127.0.0.1] [--port 50052] [--status-port <port+1>] [--engine <path>] [--threads N] [--device CUDA0,...] [--data-dir <dir>]

  --host         address to listen on (default 127.0.0.1: this machine only). To serve a main node on the
                 LAN, name this machine's address on a dedicated network (e.g. --host 10.0.0.2); 0.0.0.0
                 and :: are refused. RPC traffic is neither authenticated nor encrypted.
  --port         RPC port (default 50052); the main node adds the worker as <host>:<port>
  --status-port  read-only status endpoint (GET /status: devices, free memory; default: port + 1)
  --engine       llama-server binary or engine folder whose rpc-server to run (default: newest installed)
  --threads      CPU threads of the worker's CPU device
  --device       devices to lend (the worker's engine names; default: every GPU, else the CPU)
  --data-dir     data folder for the log and pidfile (default: ${defaultDataDir()})`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'status-port': { type: 'string' },
        engine: { type: 'string' },
        threads: { type: 'string' },
        device: { type: 'string' },
        'data-dir': { type: 'string' },
      },
      strict: true,
    });
    const host = values.host ?? '127.0.0.1';
    if (['0.0.0.0', '::', '[::]', '*'].includes(host))
      throw new UsageError(`--host ${host} would listen on every interface; name the one address main nodes reach this machine by (RPC traffic is unauthenticated)`);
    const bind = await resolveBind(host);
    const rpcPort = port(values.port, 50052);
    if (rpcPort === 0) throw new UsageError('--port must name a port (main nodes add the worker by it)');
    const statusPort = port(values['status-port'], defaultStatusPort(`${host}:${rpcPort}`));
    const args: string[] = [];
    if (values.threads !== undefined) {
      if (!/^[1-9]\d*$/.test(values.threads)) throw new UsageError(`--threads must be a positive integer, got '${values.threads}'`);
      args.push('--threads', values.threads);
    }
    if (values.device !== undefined) args.push('--device', values.device);
    const layout = dataLayout(resolve(values['data-dir'] ?? defaultDataDir()));
    const llamaServer = resolveEngine(layout.engines, values.engine ? resolve(values.engine) : undefined);
    const rpcServer = rpcServerBeside(llamaServer);
    if (!rpcServer) throw new Error(`the engine at ${llamaServer} has no rpc-server beside it (it was built without GGML_RPC); install an engine build with RPC support`);

    if (!bind.loopback) process.stderr.write(`warning: ${RPC_SECURITY_WARNING}\n`);
    const node = new WorkerNode({ rpcServer, host: bind.address, port: rpcPort, statusPort, runDir: layout.run, logsDir: `${layout.logs}/workers`, args });
    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= node.stop());
    const exitCode = new Promise<number>((done) => {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void stop().then(() => done(0)));
    });
    try {
      await node.start();
    } catch (err) {
      await stop();
      throw new Error(`rpc-server did not start: ${(err as Error).message}`);
    }
    const s = node.status();
    process.stdout.write(`llama-orch worker: rpc-server listening on ${s.endpoint} (status: http://${host.includes(':') ? `[${bind.address}]` : bind.address}:${statusPort}/status)\n`);
    for (const d of s.devices)
      process.stdout.write(`  ${d.id}: ${d.name}, ${d.totalBytes !== null ? formatBytes(d.totalBytes) : '?'} total, ${d.freeBytes !== null ? formatBytes(d.freeBytes) : '?'} free\n`);
    process.stdout.write(`  add it on the main node: llama-orch workers add ${s.endpoint}${statusPort !== defaultStatusPort(s.endpoint) ? ` --status-port ${statusPort}` : ''}\n`);
    return exitCode;
  },
};
