// The deployments service driven through a recording fake of its effects seam: what it plans,
// starts and stops, and what it writes, decided without any engine.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlacementOverrides, PlacementPlan, PlacementResult } from '../../../electron/contract/index.js';
import type { DeploymentEffects, LiveInstance } from '../../../electron/core/deployments/deployment.js';
import { DeploymentError } from '../../../electron/core/deployments/errors.js';
import { Deployments } from '../../../electron/core/deployments/service.js';
import { DeploymentStore } from '../../../electron/core/deployments/store.js';
import type { LaunchSpec } from '../../../electron/core/supervisor/instance.js';
import { FakeInstance } from '../../helpers/fake-instance.js';
import { tempDir } from '../../helpers/tmp.js';

function cpuPlan(modelPath: string, o: PlacementOverrides): PlacementPlan {
  const parallel = o.parallel ?? 4;
  const contextSize = o.contextSize ?? 4096;
  return {
    modelPath,
    fit: 'cpu',
    engineDevices: [],
    nGpuLayers: 0,
    splitMode: 'none',
    tensorSplit: null,
    mainGpu: 0,
    contextSize,
    parallel,
    cacheTypeK: 'f16',
    cacheTypeV: 'f16',
    flashAttention: 'off',
    threads: 2,
    devices: [],
    summary: 'CPU',
    forced: false,
    warnings: [],
  };
}

/** Records every effect; plans on the CPU unless asked for a KV type the fake "model" refuses. */
class RecordingEffects implements DeploymentEffects {
  readonly log: string[] = [];
  readonly instances = new Map<string, FakeInstance>();
  async place(modelPath: string, overrides: PlacementOverrides): Promise<PlacementResult> {
    this.log.push(`place ${JSON.stringify(overrides)}`);
    if (overrides.cacheTypeK === 'q8_0') return { plan: null, rejected: [], eviction: null, error: 'K head size 8 is not a multiple of 32' };
    return { plan: cpuPlan(modelPath, overrides), rejected: [], eviction: null, error: null };
  }
  engineBinary(engine: string | null): string {
    if (engine === 'missing') throw new Error("engine 'missing' is neither an installed engine id nor a path");
    return engine ?? '/engines/default/llama-server';
  }
  createInstance(spec: LaunchSpec): LiveInstance {
    this.log.push(`create ${spec.id}`);
    const inst = new FakeInstance(spec, undefined, 'stopped');
    this.instances.set(spec.id, inst);
    return inst;
  }
  async removeInstance(id: string): Promise<void> {
    this.log.push(`remove ${id}`);
    this.instances.delete(id);
  }
  running() {
    return [];
  }
  async evict(): Promise<void> {}
  now(): number {
    return Date.parse('2026-01-01T00:00:00Z');
  }
}

describe('deployments service', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let fx: RecordingEffects;
  let model: string;
  /** The vision projector the fake library pairs with `stories` (null: none). */
  let paired: string | null;
  const make = () =>
    new Deployments({
      store: new DeploymentStore(file),
      effects: fx,
      library: {
        resolve: (id) => (id.toLowerCase() === 'stories' ? { id: 'stories', path: model, sha256: 'abc', mmproj: paired } : id === 'plain' ? { id: 'plain', path: model, sha256: 'abc' } : null),
        ids: () => ['stories', 'plain'],
      },
    });
  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'deployments.json');
    model = join(dir.path, 'stories.gguf');
    writeFileSync(model, 'GGUF');
    paired = null;
    fx = new RecordingEffects();
  });
  afterEach(() => dir.cleanup());

  it('loads a library model without a deployment with defaults, once for concurrent callers, and writes no record', async () => {
    const ds = make();
    const [a, b] = await Promise.all([ds.load('STORIES'), ds.find('stories').ensureReady()]);
    expect(a).toBe(b);
    expect(fx.log.filter((l) => l.startsWith('create'))).toEqual(['create stories']);
    expect(a.spec.args).toEqual(expect.arrayContaining(['--alias', 'stories', '-np', '4']));
    expect(existsSync(file)).toBe(false);
  });

  it('saves a deployment with aliases and answers to them; a clash with another deployment is refused naming the field', async () => {
    const ds = make();
    await ds.create({ model: 'stories', name: 'chat', aliases: ['gpt-4o-mini', 'default'], overrides: { parallel: 2 }, reproducible: true });
    expect(ds.find('GPT-4O-MINI').name).toBe('chat');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.deployments[0]).toMatchObject({ name: 'chat', model: 'stories', modelSha256: 'abc', aliases: ['gpt-4o-mini', 'default'], reproducible: true });
    const clash = await ds.create({ model: 'stories', name: 'other', aliases: ['Default'] }).catch((e: DeploymentError) => e);
    expect(clash).toMatchObject({ code: 'alias_conflict', field: 'aliases.0' });
    expect(make().find('default').config.overrides).toEqual({ parallel: 2 }); // survives a restart
  });

  it('re-plans a change before applying it: a refused plan leaves the running engine and the file untouched', async () => {
    const ds = make();
    await ds.create({ model: 'stories', name: 'chat' });
    const running = await ds.find('chat').ensureReady();
    const before = readFileSync(file, 'utf8');
    fx.log.length = 0;
    const err = await ds.update('chat', { overrides: { cacheTypeK: 'q8_0' } }).catch((e: DeploymentError) => e);
    expect(err).toMatchObject({ code: 'placement_refused', message: expect.stringMatching(/multiple of 32/) });
    expect(fx.log).toEqual(['place {"cacheTypeK":"q8_0"}']);
    expect(ds.find('chat').instance).toBe(running);
    expect(readFileSync(file, 'utf8')).toBe(before);
    await ds.update('chat', { overrides: { parallel: 3 } });
    expect(fx.log.slice(1)).toEqual(['place {"parallel":3}', 'remove chat', 'create chat']);
    expect(ds.find('chat').instance!.spec.args).toEqual(expect.arrayContaining(['-np', '3']));
  });

  it('refuses a route the deployment has no role for, naming the deployment that has it', async () => {
    const ds = make();
    await ds.create({ model: 'stories', name: 'embed', role: 'embeddings' });
    expect(() => ds.forRoute('stories', '/v1/embeddings')).toThrow(/deployment 'stories' has role 'chat' and cannot serve \/v1\/embeddings; deployment 'embed' serves/);
    expect(ds.forRoute('embed', '/v1/embeddings').name).toBe('embed');
    expect(() => ds.forRoute('embed', '/v1/chat/completions')).toThrow(DeploymentError);
  });

  it('never lets an unsaved model (serve --model) shadow a saved deployment of the same name', async () => {
    const ds = make();
    await ds.create({ model: 'stories', name: 'story', aliases: ['tale'] });
    expect(() => ds.addUnsaved({ name: 'story', model })).toThrow(/'story' is a saved deployment/);
    expect(() => ds.addUnsaved({ name: 'TALE', model })).toThrow(/saved deployment \('story'\)/);
    expect(ds.find('story').saved).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).deployments).toHaveLength(1);
  });

  it('runs a deployment on its pinned engine', async () => {
    const ds = make();
    await ds.create({ model: 'stories', name: 'old', engine: '/engines/b6000/llama-server' });
    expect((await ds.load('old')).spec.enginePath).toBe('/engines/b6000/llama-server');
    expect((await ds.load('stories')).spec.enginePath).toBe('/engines/default/llama-server');
  });

  it('refuses extra flags off the allow-list and pooling without the embeddings role', async () => {
    const ds = make();
    await expect(ds.create({ model: 'stories', extraFlags: ['--host', '0.0.0.0'] })).rejects.toMatchObject({ code: 'flag_not_allowed', field: 'extraFlags.0' });
    await expect(ds.create({ model: 'stories', pooling: 'cls' })).rejects.toMatchObject({ code: 'invalid_value', field: 'pooling' });
    await expect(ds.create({ model: 'nothing-here' })).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(ds.create({ model: 'stories', engine: 'missing' })).rejects.toMatchObject({ code: 'invalid_value', field: 'engine' });
    expect(existsSync(file)).toBe(false);
  });

  it("starts a library model with the vision projector paired with it, and a deployment's own mmproj wins", async () => {
    paired = join(dir.path, 'mmproj-stories-F16.gguf');
    writeFileSync(paired, 'GGUF');
    const own = join(dir.path, 'mmproj-other.gguf');
    writeFileSync(own, 'GGUF');
    const ds = make();
    const args = (await ds.load('stories')).spec.args;
    expect(args.slice(args.indexOf('--mmproj'), args.indexOf('--mmproj') + 2)).toEqual(['--mmproj', paired]);
    const view = await ds.create({ model: 'stories', name: 'vision', mmproj: own });
    expect(view.projector).toBe(own);
    const v = (await ds.load('vision')).spec.args;
    expect(v.filter((a) => a === '--mmproj')).toHaveLength(1);
    expect(v[v.indexOf('--mmproj') + 1]).toBe(own);
    expect((await ds.load('plain')).spec.args).not.toContain('--mmproj');
    await expect(ds.create({ model: 'stories', name: 'rel', mmproj: 'mmproj.gguf' })).rejects.toMatchObject({ code: 'invalid_value', field: 'mmproj' });
    await expect(ds.create({ model: 'stories', name: 'gone', mmproj: join(dir.path, 'missing-mmproj.gguf') })).rejects.toMatchObject({
      code: 'invalid_value',
      field: 'mmproj',
      message: expect.stringMatching(/vision projector not found/),
    });
  });

  it('refuses image input for a deployment without a projector, naming one that has it', async () => {
    const ds = make();
    expect(() => ds.forRoute('plain', '/v1/chat/completions', { images: true })).toThrow(
      /deployment 'plain' has no vision projector \(mmproj\) and cannot read image input; pair one with `llama-orch deploy plain --name plain --mmproj/,
    );
    expect(ds.forRoute('plain', '/v1/chat/completions', { images: false }).name).toBe('plain');
    paired = join(dir.path, 'mmproj-stories-F16.gguf');
    writeFileSync(paired, 'GGUF');
    const withOne = make();
    expect(withOne.forRoute('stories', '/v1/chat/completions', { images: true }).name).toBe('stories');
    const err = (() => {
      try {
        withOne.forRoute('plain', '/v1/chat/completions', { images: true });
      } catch (e) {
        return e as DeploymentError;
      }
    })();
    expect(err).toMatchObject({ code: 'no_vision_projector', field: 'messages', message: expect.stringMatching(/deployment 'stories' has one/) });
  });
});
