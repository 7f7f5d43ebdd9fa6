// An engine start that fails for lack of resources (ENOSPC writing its key file) is retried with
// backoff until the resource is back, and never makes the instance `failed`.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, EngineInstance } from '../../../electron/core/supervisor/instance.js';
import { FakeEffects } from '../supervisor/fake-effects.js';

describe('EngineInstance on a full disk', () => {
  it('keeps retrying a start that fails with ENOSPC, then starts once space is back', async () => {
    const fx = new FakeEffects();
    let full = 6; // more failures than the crash budget (3)
    const keyArgs = (key: string) => {
      if (full-- > 0) throw Object.assign(new Error('ENOSPC: no space left on device, open run/m.key'), { code: 'ENOSPC' });
      return ['--api-key', key];
    };
    const inst = new EngineInstance(
      { id: 'm', modelId: 'm', modelPath: '/m.gguf', enginePath: '/llama-server', args: [] },
      fx,
      { allocatePort: async () => 40000, keyArgs },
      { ...DEFAULT_POLICY, readyTimeoutMs: 10_000, stopGraceMs: 100, backoffBaseMs: 1000, backoffMaxMs: 8000, logCapacity: 100 },
    );
    await inst.ensureReady();
    expect(inst.info().state).toBe('ready');
    expect(fx.procs).toHaveLength(1);
    expect(fx.backoffs()).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(
      inst
        .tailLogs()
        .map((l) => l.text)
        .join('\n'),
    ).toContain('ENOSPC');
    await inst.stop();
  });
});
