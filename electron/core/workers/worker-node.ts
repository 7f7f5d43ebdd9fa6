// `llama-orch worker`: llama.cpp's rpc-server under the supervisor's instance machinery (restart
// with backoff, a rotating log, a pidfile reaped at the next start) plus a small read-only status
// endpoint (GET /status) with its devices and free memory. The main node polls that endpoint, not
// the RPC port: rpc-server serves one client at a time, so a probe on the RPC port would wait behind
// the engine using it, and the endpoint can also say whether an engine is connected.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { freemem } from 'node:os';
import { dirname, join } from 'node:path';
import type { WorkerStatus } from '../../contract/workers.js';
import { engineEnv } from '../engines/self-test.js';
import { EngineInstance, DEFAULT_POLICY, type InstancePolicy } from '../supervisor/instance.js';
import { CORE_STARTED_MS, PidFiles } from '../supervisor/pidfiles.js';
import { realEngineEffects, type EngineEffects } from '../supervisor/process.js';
import { RotatingLog } from '../supervisor/rotating-log.js';
import { appVersion } from '../version.js';
import { applyRpcLine, emptyRpcView } from './rpc-banner.js';

export interface WorkerNodeOptions {
  /** The rpc-server binary. */
  rpcServer: string;
  host: string;
  port: number;
  statusPort: number;
  runDir: string;
  logsDir: string;
  /** Extra rpc-server arguments (`--threads`, `--device`). */
  args?: string[];
  policy?: Partial<InstancePolicy>;
}

/** rpc-server beside an engine's llama-server (release archives name it rpc-server; builds ggml-rpc-server). */
export function rpcServerBeside(llamaServer: string): string | null {
  const exe = process.platform === 'win32' ? '.exe' : '';
  for (const name of [`rpc-server${exe}`, `ggml-rpc-server${exe}`]) {
    const p = join(dirname(llamaServer), name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Ready = the RPC port accepts a TCP connection (the connection is closed at once; rpc-server drops it). */
function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export class WorkerNode {
  readonly instance: EngineInstance;
  private readonly view = emptyRpcView();
  private readonly log: RotatingLog;
  private readonly pidfiles: PidFiles;
  private server: Server | null = null;

  constructor(private readonly opts: WorkerNodeOptions) {
    this.log = new RotatingLog(join(opts.logsDir, `rpc-server-${opts.port}.log`));
    this.pidfiles = new PidFiles(opts.runDir);
    const id = `worker-${opts.port}`;
    const effects: EngineEffects = { ...realEngineEffects, health: () => tcpOpen(opts.host, opts.port) };
    this.instance = new EngineInstance(
      { id, modelId: 'rpc-server', modelPath: '', enginePath: opts.rpcServer, args: opts.args ?? [], host: opts.host, env: engineEnv(opts.rpcServer) },
      effects,
      {
        allocatePort: async () => opts.port,
        keyArgs: () => [], // rpc-server has no authentication at all (see RPC_SECURITY_WARNING)
        keepContent: () => true, // it never sees prompts or completions, only tensors
        onLog: (l) => {
          if (l.stream === 'stdout') applyRpcLine(this.view, l.text);
          this.log.write(`${l.time} ${l.stream} ${l.level} ${l.text}`);
        },
        onSpawn: (pid) => {
          try {
            this.pidfiles.write({ pid, instanceId: id, enginePath: opts.rpcServer, startedAt: new Date().toISOString(), corePid: process.pid, coreStartedAt: new Date(CORE_STARTED_MS).toISOString() });
          } catch {
            /* the worker still dies with us (parent-death signal) and is stopped by stop() */
          }
        },
        onExit: (pid) => this.pidfiles.removeIfPid(id, pid),
      },
      // No liveness probes: each would be a connection rpc-server must accept between clients.
      { ...DEFAULT_POLICY, livenessIntervalMs: 0, ...opts.policy },
    );
  }

  status(): WorkerStatus {
    const info = this.instance.info();
    // The CPU device's memory is this machine's RAM: report what is available now, not at start.
    const devices = this.view.devices.map((d) => (d.kind === 'cpu' && !this.view.clientConnected ? { ...d, freeBytes: Math.min(d.totalBytes ?? Infinity, freemem()) } : d));
    return {
      version: appVersion(),
      endpoint: `${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`,
      state: info.state,
      reason: info.reason,
      restarts: info.restarts,
      devices,
      clientConnected: this.view.clientConnected,
    };
  }

  /** Reap a previous run's rpc-server, start the status endpoint, then rpc-server (resolves when it accepts connections). */
  async start(): Promise<void> {
    await this.pidfiles.reapOrphans({ warn: (m) => process.stderr.write(`llama-orch: ${m}\n`) });
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/status') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'only GET /status is served here', type: 'invalid_request_error', code: 'not_found', param: null } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(this.status()));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.statusPort, this.opts.host, () => resolve());
    });
    await this.instance.ensureReady();
    // rpc-server's stdout is a pipe, so its banner (the devices) arrives in one block only when it
    // flushes at the readiness probe's connection, and "Client connection closed" after it: wait for
    // both, so the first status has devices and does not show the probe as a connected engine.
    for (let i = 0; i < 100 && (this.view.devices.length === 0 || this.view.clientConnected); i++) await new Promise((r) => setTimeout(r, 50));
  }

  async stop(): Promise<void> {
    await this.instance.stop();
    this.log.flush();
    this.log.close();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
