// The rolling restart of an engine switch, decided through a recording fake of the effects seam: the
// old instance keeps serving until the new one is ready, is drained after, and is restored when the new
// engine fails; pinned and stopped deployments are left alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentEffects, LiveInstance } from '../../../electron/core/deployments/deployment.js';
import { Deployments } from '../../../electron/core/deployments/service.js';
import { DeploymentStore } from '../../../electron/core/deployments/store.js';
import type { LaunchSpec } from '../../../electron/core/supervisor/instance.js';
import { FakeInstance } from '../../helpers/fake-instance.js';
import { tempDir } from '../../helpers/tmp.js';

class SwitchEffects implements DeploymentEffects {
  readonly log: string[] = [];
  defaultBinary = '/engines/a/llama-server';
  /** Called while a new instance starts: the test looks at what serves meanwhile. */
  whileStarting: () => void = () => undefined;
  private retired = 0;
  engineBinary(engine: string | null): string {
    return engine ? `/engines/${engine}/llama-server` : this.defaultBinary;
  }
  createInstance(spec: LaunchSpec): LiveInstance {
    this.log.push(`create ${spec.id} on ${spec.enginePath}`);
    return new FakeInstance(spec, async () => {
      this.whileStarting();
      if (spec.enginePath.includes('broken')) throw new Error('llama_model_load: error loading model');
    });
  }
  async removeInstance(id: string): Promise<void> {
    this.log.push(`remove ${id}`);
  }
  retireInstance(id: string): string {
    this.log.push(`retire ${id}`);
    return `${id}~${++this.retired}`;
  }
  restoreInstance(key: string, id: string): void {
    this.log.push(`restore ${key} as ${id}`);
  }
  async drainInstance(key: string): Promise<void> {
    this.log.push(`drain ${key}`);
  }
  running() {
    return [];
  }
  async evict(): Promise<void> {}
  now(): number {
    return Date.parse('2026-01-01T00:00:00Z');
  }
}

describe('rolling restart onto a new engine', () => {
  let dir: ReturnType<typeof tempDir>;
  let fx: SwitchEffects;
  let ds: Deployments;
  beforeEach(async () => {
    dir = tempDir();
    const model = join(dir.path, 'stories.gguf');
    writeFileSync(model, 'GGUF');
    fx = new SwitchEffects();
    ds = new Deployments({ store: new DeploymentStore(join(dir.path, 'deployments.json')), effects: fx, library: { resolve: () => null, ids: () => [] } });
    await ds.create({ model, name: 'follows' });
    await ds.create({ model, name: 'pinned', engine: 'old' });
    await ds.create({ model, name: 'stopped' });
    await ds.find('follows').ensureReady();
    await ds.find('pinned').ensureReady();
    fx.log.length = 0;
  });
  afterEach(() => dir.cleanup());

  it('starts the new engine beside the old one, which serves until the new one is ready and is drained after', async () => {
    const d = ds.find('follows');
    const old = d.instance!;
    let servingWhileStarting: LiveInstance | null = null;
    fx.whileStarting = () => (servingWhileStarting = d.instance);
    fx.defaultBinary = '/engines/b/llama-server';
    const moved = await ds.rollingRestart();
    expect(moved).toEqual([{ deployment: 'follows', readyMs: 0 }]);
    expect(servingWhileStarting).toBe(old);
    expect(d.instance!.spec.enginePath).toBe('/engines/b/llama-server');
    expect(d.instance!.spec.args).toEqual(old.spec.args);
    expect(fx.log).toEqual(['retire follows', 'create follows on /engines/b/llama-server', 'drain follows~1']);
  });

  it('keeps the old engine serving when the new one fails to start, and reports it', async () => {
    const d = ds.find('follows');
    const old = d.instance!;
    fx.defaultBinary = '/engines/broken/llama-server';
    const moved = await ds.rollingRestart();
    expect(moved).toEqual([{ deployment: 'follows', readyMs: -1, error: 'llama_model_load: error loading model' }]);
    expect(d.instance).toBe(old);
    expect(fx.log).toEqual(['retire follows', 'create follows on /engines/broken/llama-server', 'remove follows', 'restore follows~1 as follows']);
  });

  it('does nothing when the engine did not change', async () => {
    expect(await ds.rollingRestart()).toEqual([]);
    expect(fx.log).toEqual([]);
  });

  it('pins chosen deployments to an engine (saved) and moves them; a failure keeps the old pin', async () => {
    expect(await ds.pinEngine(['follows'], 'b')).toEqual([{ deployment: 'follows', readyMs: 0 }]);
    const saved = () => (JSON.parse(readFileSync(join(dir.path, 'deployments.json'), 'utf8')) as { deployments: { name: string; engine: string | null }[] }).deployments;
    expect(saved().find((d) => d.name === 'follows')!.engine).toBe('b');
    const failed = await ds.pinEngine(['pinned'], 'broken');
    expect(failed[0]).toMatchObject({ deployment: 'pinned', error: 'llama_model_load: error loading model' });
    expect(ds.find('pinned').config.engine).toBe('old');
    expect(saved().find((d) => d.name === 'pinned')!.engine).toBe('old');
  });
});
