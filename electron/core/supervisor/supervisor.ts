// Owns every engine instance: creates them from launch specs, keeps pidfiles, reaps orphans at
// start-up, publishes state changes, and stops everything on shutdown.
import type { CoreEvent, InstanceInfo } from '../../contract/index.js';
import { Listeners } from '../util/emitter.js';
import { freePort } from '../util/net.js';
import { EngineInstance, DEFAULT_POLICY, type InstancePolicy, type LaunchSpec } from './instance.js';
import { PidFiles } from './pidfiles.js';
import { realEngineEffects, type EngineEffects } from './process.js';

export interface SupervisorOptions {
  runDir: string;
  effects?: EngineEffects;
  policy?: Partial<InstancePolicy>;
  events?: Listeners<CoreEvent>;
}

export class Supervisor {
  private readonly instances = new Map<string, EngineInstance>();
  private readonly pidfiles: PidFiles;
  private readonly effects: EngineEffects;
  private readonly policy: InstancePolicy;
  readonly events: Listeners<CoreEvent>;

  constructor(opts: SupervisorOptions) {
    this.pidfiles = new PidFiles(opts.runDir);
    this.effects = opts.effects ?? realEngineEffects;
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.events = opts.events ?? new Listeners<CoreEvent>();
  }

  /** Kill engines a previous, killed core left running. Call once before starting instances. */
  reapOrphans(): Promise<number[]> {
    return this.pidfiles.reapOrphans();
  }

  list(): InstanceInfo[] {
    return [...this.instances.values()].map((i) => i.info());
  }

  get(id: string): EngineInstance | undefined {
    return this.instances.get(id);
  }

  findByModel(modelId: string): EngineInstance | undefined {
    for (const inst of this.instances.values()) if (inst.spec.modelId === modelId) return inst;
    return undefined;
  }

  /** Register an instance (not yet started); `ensureReady()` on it starts the engine. */
  create(spec: LaunchSpec): EngineInstance {
    if (this.instances.has(spec.id)) throw new Error(`instance ${spec.id} already exists`);
    const inst = new EngineInstance(
      spec,
      this.effects,
      {
        allocatePort: () => freePort(),
        onState: (info) => this.events.emit({ type: 'instance.state', instance: info }),
        onSpawn: (pid) =>
          this.pidfiles.write({ pid, instanceId: spec.id, enginePath: spec.enginePath, startedAt: new Date().toISOString(), corePid: process.pid }),
        onExit: () => this.pidfiles.remove(spec.id),
      },
      this.policy,
    );
    this.instances.set(spec.id, inst);
    return inst;
  }

  async remove(id: string): Promise<boolean> {
    const inst = this.instances.get(id);
    if (!inst) return false;
    await inst.stop();
    this.instances.delete(id);
    this.events.emit({ type: 'instance.removed', id });
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => i.stop()));
  }
}
