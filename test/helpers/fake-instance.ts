// An engine instance for deployment tests that drive the service through its effects seam: no
// process, ready once `ensureReady` has run (and `onReady` with it, where a test wants to look at
// what serves meanwhile or to fail the start).
import type { InstanceInfo } from '../../electron/contract/index.js';
import type { LiveInstance } from '../../electron/core/deployments/deployment.js';
import type { LaunchSpec } from '../../electron/core/supervisor/instance.js';

export class FakeInstance implements LiveInstance {
  readonly apiKey = 'k';
  ready = false;

  constructor(
    readonly spec: LaunchSpec,
    private readonly onReady: () => Promise<void> = async () => undefined,
    /** The state it reports before it is ready. */
    private readonly notReady: InstanceInfo['state'] = 'starting',
  ) {}

  async ensureReady(): Promise<void> {
    await this.onReady();
    this.ready = true;
  }

  info(): InstanceInfo {
    return {
      id: this.spec.id,
      modelId: this.spec.modelId,
      modelPath: this.spec.modelPath,
      enginePath: this.spec.enginePath,
      state: this.ready ? 'ready' : this.notReady,
      reason: null,
      pid: 1,
      port: 1,
      restarts: 0,
      startedAt: null,
      readyAt: null,
      argv: this.spec.args,
      placement: null,
    };
  }

  baseUrl(): string | null {
    return this.ready ? 'http://127.0.0.1:1' : null;
  }
}
