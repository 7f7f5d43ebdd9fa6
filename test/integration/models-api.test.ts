// The model library through the core's admin API: import, list, detail, pull from a fake hub (via
// HF_ENDPOINT) with progress on the core's event stream, search, verify, and remove refused while a
// real llama-server serves the model.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_ROUTES, type ApiErrorEnvelope, type ModelDetailResponse, type ModelListResponse, type ModelManifest, type ProgressEvent, type PullInfo } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { testEnginePath } from '../helpers/engine.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'test-admin-token';
const SIZE = statSync(STORIES_MODEL).size;

describe('model library API', () => {
  const tmp = tempDir();
  let hub: FakeHub;
  let core: Core;
  let url: string;
  const savedEndpoint = process.env.HF_ENDPOINT;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };

  beforeAll(async () => {
    hub = await startFakeHub([{ repo: 'karpathy/stories-GGUF', files: [{ path: 'stories260K-Q8_0.gguf', file: STORIES_MODEL }] }]);
    process.env.HF_ENDPOINT = hub.url;
    core = new Core({ dataDir: join(tmp.path, 'data'), port: 0, host: '127.0.0.1', adminToken: TOKEN, enginePath: testEnginePath() });
    url = await core.listen();
  });
  afterAll(async () => {
    await core?.stop();
    await hub?.close();
    if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = savedEndpoint;
    tmp.cleanup();
  });

  it('needs the admin token', async () => {
    expect((await fetch(`${url}${MODEL_ROUTES.list}`)).status).toBe(401);
  });

  it('imports a GGUF file, then lists it with disk usage and shows its facts', async () => {
    const r = await call<ModelManifest>('POST', MODEL_ROUTES.import, { path: STORIES_MODEL });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'stories260k', facts: { architecture: 'llama', blockCount: 5, headCountKv: 4 } });
    const list = await call<ModelListResponse>('GET', MODEL_ROUTES.list);
    expect(list.body.data.map((m) => m.id)).toEqual(['stories260k']);
    expect(list.body.totalDiskBytes).toBe(SIZE);
    const one = await call<ModelDetailResponse>('GET', MODEL_ROUTES.model('Stories260K'));
    expect(one.body).toMatchObject({ id: 'stories260k', diskBytes: SIZE, facts: { embeddingLength: 64, headCount: 8, contextLength: 2048 } });
    expect(core.library.resolve('stories260K')?.id).toBe('stories260k');
  });

  it('answers bad requests with the error envelope, naming the field or the problem', async () => {
    const missing = await call<ApiErrorEnvelope>('POST', MODEL_ROUTES.import, { link: true });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('path');
    const junk = join(tmp.path, 'junk.gguf');
    writeFileSync(junk, 'not a model');
    const notGguf = await call<ApiErrorEnvelope>('POST', MODEL_ROUTES.import, { path: junk });
    expect(notGguf.status).toBe(422);
    expect(notGguf.body.error).toMatchObject({ code: 'not_gguf', message: expect.stringContaining('is not a GGUF model file') });
    const traversal = await call<ApiErrorEnvelope>('POST', MODEL_ROUTES.import, { path: STORIES_MODEL, id: '../../etc' });
    expect(traversal.status).toBe(400);
    expect(traversal.body.error).toMatchObject({ code: 'invalid_model_id', param: 'id' });
    const unknown = await call<ApiErrorEnvelope>('GET', MODEL_ROUTES.model('nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/models: stories260k/);
    expect((await call<ApiErrorEnvelope>('POST', MODEL_ROUTES.cancelPull('pull-x'))).body.error.code).toBe('pull_not_found');
  });

  it('pulls through HF_ENDPOINT with progress events on the core event stream', async () => {
    const events: ProgressEvent[] = [];
    const unsubscribe = core.events.subscribe((e) => e.type === 'progress' && e.kind === 'model-pull' && events.push(e));
    const r = await call<PullInfo>('POST', MODEL_ROUTES.pull, { repo: 'karpathy/stories-GGUF', quant: 'q8_0' });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ repo: 'karpathy/stories-GGUF', modelId: 'stories260k-q8_0', totalBytes: SIZE });
    await core.pulls.wait(r.body.id);
    unsubscribe();
    expect(events.at(-1)).toMatchObject({ id: r.body.id, state: 'done', bytes: SIZE });
    const pulls = await call<{ data: PullInfo[] }>('GET', MODEL_ROUTES.pulls);
    expect(pulls.body.data).toEqual([expect.objectContaining({ id: r.body.id, state: 'done' })]);
    const list = await call<ModelListResponse>('GET', MODEL_ROUTES.list);
    expect(list.body.data.map((m) => [m.id, m.source])).toEqual([
      ['stories260k', 'import'],
      ['stories260k-q8_0', 'hub'],
    ]);
    const search = await call<{ data: { repo: string }[] }>('GET', `${MODEL_ROUTES.search}?q=stories`);
    expect(search.body.data.map((h) => h.repo)).toEqual(['karpathy/stories-GGUF']);
    const verify = await call<{ ok: boolean }>('POST', MODEL_ROUTES.verify('stories260k-q8_0'));
    expect(verify.body.ok).toBe(true);
  });

  it('refuses to delete a model a running engine serves, and deletes it once stopped', async () => {
    const path = core.library.modelPath('stories260k')!;
    await core.deployments.addUnsaved({ name: 'stories260k', model: path }).ensureReady();
    const refused = await call<ApiErrorEnvelope>('DELETE', MODEL_ROUTES.model('stories260k'));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'model_loaded', message: expect.stringMatching(/is loaded: an engine is serving it/) });
    expect(statSync(path).size).toBe(SIZE);
    await core.supervisor.stopAll();
    const removed = await call<null>('DELETE', MODEL_ROUTES.model('stories260k'));
    expect(removed.status).toBe(204);
    expect((await call<ModelListResponse>('GET', MODEL_ROUTES.list)).body.data.map((m) => m.id)).toEqual(['stories260k-q8_0']);
  });
});
