// A pull cut half-way by the network and then by the core stopping survives the restart: a new core on
// the same data dir lists it as paused with the bytes on disk, resumes it through the admin API with a
// Range request (sha256 verified, model registered, sidecar gone), and discards a paused one on cancel.
// Real HTTP (fake hub), real files, real cores.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_ROUTES, type ModelListResponse, type PullInfo } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { testEnginePath } from '../helpers/engine.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'test-admin-token';
const HF_TOKEN = 'hf_restart_secret';
const SIZE = statSync(STORIES_MODEL).size;
const SHA = createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex');
const REPO = 'karpathy/stories-GGUF';

describe('model pulls across a core restart', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  const downloads = join(dataDir, 'downloads');
  let hub: FakeHub;
  const cores: Core[] = [];
  const saved = { endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN };

  const startCore = async () => {
    const core = new Core({ dataDir, port: 0, host: '127.0.0.1', adminToken: TOKEN, enginePath: testEnginePath() });
    cores.push(core);
    const url = await core.listen();
    const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    };
    const pull = async (id: string) => (await call<{ data: PullInfo[] }>('GET', MODEL_ROUTES.pulls)).body.data.find((p) => p.id === id);
    return { core, call, pull };
  };

  /** Start a pull, let the hub cut it half-way, then stop the core while it waits to retry. */
  const cutAndStop = async (repo: string, file: string): Promise<{ id: string; kept: number }> => {
    const { core, call } = await startCore();
    hub.server.faults.cutAfterBytes = Math.floor(SIZE / 2);
    const started = await call<PullInfo>('POST', MODEL_ROUTES.pull, { repo, file });
    expect(started.status).toBe(202);
    const part = join(downloads, `${SHA}.part`);
    await until(() => existsSync(part) && statSync(part).size === Math.floor(SIZE / 2));
    hub.server.faults.cutAfterBytes = 0; // the automatic retries get nothing more
    const sidecar = readFileSync(join(downloads, `${started.body.id}.pull.json`), 'utf8');
    expect(sidecar).not.toContain(HF_TOKEN);
    expect(sidecar).toContain(repo);
    await core.stop();
    hub.server.faults.cutAfterBytes = null;
    return { id: started.body.id, kept: statSync(part).size };
  };

  beforeAll(async () => {
    hub = await startFakeHub([
      { repo: REPO, files: [{ path: 'stories260K-Q8_0.gguf', file: STORIES_MODEL }] },
      { repo: 'other/stories-GGUF', files: [{ path: 'other-Q8_0.gguf', file: STORIES_MODEL }] },
    ]);
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_TOKEN = HF_TOKEN; // same origin as the downloads: sent with them, never written down
  });
  afterAll(async () => {
    for (const c of cores) await c.stop();
    await hub?.close();
    for (const [k, v] of [
      ['HF_ENDPOINT', saved.endpoint],
      ['HF_TOKEN', saved.token],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    tmp.cleanup();
  });

  it('lists a pull cut before the core stopped as paused after a restart, and resumes it with Range to a verified model', async () => {
    const { id, kept } = await cutAndStop(REPO, 'stories260K-Q8_0.gguf');
    expect(kept).toBe(Math.floor(SIZE / 2));

    const { call, pull } = await startCore();
    expect(await pull(id)).toEqual({ id, repo: REPO, files: ['stories260K-Q8_0.gguf'], modelId: 'stories260k-q8_0', state: 'paused', bytes: kept, totalBytes: SIZE, error: null });
    expect((await call<ModelListResponse>('GET', MODEL_ROUTES.list)).body.pulls.map((p) => p.state)).toEqual(['paused']);

    const resumed = await call<PullInfo>('POST', MODEL_ROUTES.resumePull(id));
    expect(resumed.status).toBe(200);
    expect(resumed.body.id).toBe(id);
    await until(async () => (await pull(id))?.state === 'done');
    const resolve = `/${REPO}/resolve/${'a'.repeat(40)}/stories260K-Q8_0.gguf`;
    expect(hub.server.log.filter((l) => l.path === resolve).at(-1)!.range).toBe(`bytes=${kept}-`);
    const list = (await call<ModelListResponse>('GET', MODEL_ROUTES.list)).body;
    expect(list.data.map((m) => m.id)).toEqual(['stories260k-q8_0']);
    const m = await call<{ files: { sha256: string; sizeBytes: number }[] }>('GET', MODEL_ROUTES.model('stories260k-q8_0'));
    expect(m.body.files[0]).toMatchObject({ sha256: SHA, sizeBytes: SIZE });
    expect(readdirSync(downloads)).toEqual([]); // part moved into the library, sidecar removed
  });

  it('discards a paused pull on cancel: its part file and sidecar are deleted and it is not listed again', async () => {
    for (const c of cores.splice(0)) await c.stop();
    const { id } = await cutAndStop('other/stories-GGUF', 'other-Q8_0.gguf');
    const { core, call, pull } = await startCore();
    expect((await pull(id))?.state).toBe('paused');
    const r = await call<PullInfo>('POST', MODEL_ROUTES.cancelPull(id));
    expect(r.body).toMatchObject({ id, state: 'cancelled', bytes: 0 });
    expect(readdirSync(downloads)).toEqual([]);
    await core.stop();
    const { pull: again } = await startCore();
    expect(await again(id)).toBeUndefined();
  });
});

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
