// Model lifecycle seen through the gateway: Anthropic-shaped /v1/messages, idle unloading (pinned
// models stay), and a model that cannot start answering 503 with Retry-After.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';

const chat = (model: string) => ({ model, max_tokens: 8, messages: [{ role: 'user', content: 'Once upon a time' }] });

function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('model lifecycle through the gateway', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ idleSweepMs: 100, policy: { backoffBaseMs: 10, maxCrashes: 1 } }, [{ id: 'stories260K' }, { id: 'pinned' }]);
  });
  afterAll(() => t?.close());

  it('speaks the Anthropic messages shape that llama-server offers', async () => {
    const r = await post(t.url, '/v1/messages', chat('stories260K'));
    expect(r.status).toBe(200);
    const body = (await r.json()) as { type: string; content: { type: string; text: string }[] };
    expect(body.type).toBe('message');
    expect(body.content[0]!.text.length).toBeGreaterThan(0);
  });

  it('unloads idle models after the TTL but never a pinned one, and loads again on demand', async () => {
    expect((await post(t.url, '/v1/chat/completions', chat('pinned'))).status).toBe(200);
    t.core.settings.update({ gateway: { idleTtlSeconds: 1 }, models: { pinned: ['pinned'] } });
    try {
      await waitFor(() => !t.core.supervisor.findByModel('stories260K'), 'the idle model to unload', 10_000, 50);
      expect(t.core.supervisor.findByModel('pinned')!.info().state).toBe('ready');
      const models = (await (await fetch(`${t.url}/v1/models`)).json()) as { data: { id: string; state: string }[] };
      expect(models.data.find((m) => m.id === 'stories260K')!.state).toBe('unloaded');
      expect((await post(t.url, '/v1/chat/completions', chat('stories260K'))).status).toBe(200);
    } finally {
      t.core.settings.update({ gateway: { idleTtlSeconds: 0 }, models: { pinned: [] } });
    }
  });

  it('serves a model from the library by id on first use, and refuses to remove it while loaded', async () => {
    await t.core.library.import(STORIES_MODEL, { id: 'tiny-stories', link: true });
    const listed = (await (await fetch(`${t.url}/v1/models`)).json()) as { data: { id: string; state: string }[] };
    expect(listed.data.find((m) => m.id === 'tiny-stories')).toMatchObject({ state: 'unloaded' });
    const r = await post(t.url, '/v1/chat/completions', chat('tiny-stories'));
    expect(r.status).toBe(200);
    expect(t.core.supervisor.findByModel('tiny-stories')!.info().state).toBe('ready');
    await expect(t.core.library.remove('tiny-stories')).rejects.toThrow(/loaded|serv|running|in use/i);
  });

  it('loads a model with placement overrides through POST /api/v1/instances, reloading it when they change', async () => {
    const admin = { authorization: `Bearer ${t.core.auth.adminToken}`, 'content-type': 'application/json' };
    const start = (body: unknown) => fetch(`${t.url}/api/v1/instances`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    const first = await start({ model: 'stories260K', parallel: 1, contextSize: 1024, cacheTypeK: 'f32', wait: true });
    expect(first.status).toBe(201);
    const argv = ((await first.json()) as { argv: string[] }).argv;
    expect(argv.join(' ')).toContain('-c 1024 -np 1 -ctk f32');
    const again = await start({ model: 'stories260K' });
    expect(again.status).toBe(200); // no change asked: the running instance is kept
    const reloaded = await start({ model: 'stories260K', parallel: 2, contextSize: 512, wait: true });
    expect(((await reloaded.json()) as { argv: string[] }).argv.join(' ')).toContain('-c 1024 -np 2');
    const refused = await start({ model: 'stories260K', cacheTypeK: 'q8_0', wait: true }); // head size 8 is not a multiple of q8_0's block of 32
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string; code: string } }).error).toMatchObject({ code: 'placement_refused', message: expect.stringMatching(/q8_0/) });
    // The refusal lost nothing: the engine that ran keeps running with the settings that worked.
    expect(t.core.supervisor.findByModel('stories260K')!.info()).toMatchObject({ state: 'ready', argv: expect.arrayContaining(['-np', '2']) });
    expect((await post(t.url, '/v1/chat/completions', chat('stories260K'))).status).toBe(200);
    const bad = await start({ model: 'stories260K', cacheTypeK: 'q3_x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('cacheTypeK');
  });

  it('answers 503 naming the file’s problem when a model’s header cannot be read, without starting an engine', async () => {
    const broken = join(t.dataDir, 'broken.gguf');
    writeFileSync(broken, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64, 7)]));
    t.core.deployments.addUnsaved({ name: 'broken', model: broken });
    const r = await post(t.url, '/v1/chat/completions', chat('broken'));
    expect(r.status).toBe(503);
    const body = (await r.json()) as { error: { message: string; code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'model_unreadable', param: 'model' });
    expect(body.error.message).toMatch(/broken\.gguf is GGUF version \d+; llama.cpp reads versions 2 and 3/);
    expect(t.core.supervisor.findByModel('broken')).toBeUndefined();
  });
});
