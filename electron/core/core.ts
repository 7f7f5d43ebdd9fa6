// The core's composition root: builds every service for a data dir and wires them to the HTTP API.
// Used in-process by the Electron main process and by `llama-orch serve`.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CoreEvent, StatusResponse } from '../contract/index.js';
import { AdminAuth } from './api/auth.js';
import { engineAgent } from './api/proxy.js';
import { createApiServer } from './api/server.js';
import { defaultRendererDir } from './api/static.js';
import { resolveEngine } from './engines/locate.js';
import { dataLayout, type DataLayout } from './paths.js';
import { ServedModels } from './router/model-router.js';
import type { InstancePolicy } from './supervisor/instance.js';
import { Supervisor } from './supervisor/supervisor.js';
import { Listeners } from './util/emitter.js';
import { appVersion } from './version.js';

export interface CoreOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /** Path to a llama-server binary (or engine folder); default: newest engine installed in the data dir. */
  enginePath?: string;
  rendererDir?: string;
  adminToken?: string;
  policy?: Partial<InstancePolicy>;
}

export class Core {
  readonly layout: DataLayout;
  readonly events = new Listeners<CoreEvent>();
  readonly supervisor: Supervisor;
  readonly auth: AdminAuth;
  readonly models: ServedModels;
  private server: Server | null = null;
  private baseUrl = '';

  constructor(private readonly opts: CoreOptions) {
    this.layout = dataLayout(opts.dataDir);
    for (const dir of [this.layout.root, this.layout.engines, this.layout.models, this.layout.run, this.layout.logs]) mkdirSync(dir, { recursive: true });
    this.supervisor = new Supervisor({ runDir: this.layout.run, events: this.events, ...(opts.policy ? { policy: opts.policy } : {}) });
    this.auth = new AdminAuth(opts.adminToken);
    this.models = new ServedModels(this.supervisor, () => resolveEngine(this.layout.engines, opts.enginePath));
  }

  /** Reap orphans from a killed previous run, then listen. */
  async listen(): Promise<string> {
    await this.supervisor.reapOrphans();
    const server = createApiServer({
      router: this.models,
      auth: this.auth,
      supervisor: this.supervisor,
      events: this.events,
      rendererDir: this.opts.rendererDir ?? defaultRendererDir(),
      version: appVersion(),
      status: () => this.status(),
      // Admin routes of the other modules (hardware, engines, models, plans): one line each.
      extraRoutes: [],
    });
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 8585, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  status(): StatusResponse {
    return { version: appVersion(), dataDir: this.layout.root, apiBaseUrl: `${this.baseUrl}/v1`, instances: this.supervisor.list() };
  }

  /** Stop every engine, then the server. Safe to call twice. */
  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    engineAgent.destroy();
  }
}
