// The walking skeleton end to end: `llama-orch serve` with the real engine and the real model,
// compared with the same requests sent straight to llama-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../electron/contract/index.js';
import { chatContent, readSse, startDirectEngine, testEnginePath, type DirectEngine } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const CHAT = {
  model: 'stories260K',
  temperature: 0,
  seed: 42,
  max_tokens: 48,
  messages: [{ role: 'user', content: 'Once upon a time' }],
};

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('llama-orch serve', () => {
  const data = tempDir();
  let serve: ServeHandle;
  let direct: DirectEngine;
  let argv: string[];
  let sessionCookie = '';

  beforeAll(async () => {
    serve = await startServe(['--model', STORIES_MODEL, '--engine', testEnginePath(), '--data-dir', data.path]);
    // The baseline is llama-server started by hand with exactly the argv serve chose (from its plan).
    const login = await fetch(serve.loginUrl, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    sessionCookie = cookie;
    const { data: instances } = (await (await fetch(`${serve.url}/api/v1/instances`, { headers: { cookie } })).json()) as { data: InstanceInfo[] };
    argv = instances[0]!.argv;
    direct = await startDirectEngine(argv);
  });

  afterAll(async () => {
    await serve?.stop();
    await direct?.stop();
    data.cleanup();
  });

  it('starts the engine from a placement plan: explicit devices, context and slots, and no re-planning', async () => {
    expect(argv).toEqual(expect.arrayContaining(['--device', 'none', '--fit', 'off', '-np', '4']));
    const c = Number(argv[argv.indexOf('-c') + 1]);
    expect(c).toBe(4 * 2048); // 4 slots × the model's own 2048-token context (below the 4096 default)
    const { data } = (await (await fetch(`${serve.url}/api/v1/instances`, { headers: { cookie: sessionCookie } })).json()) as { data: InstanceInfo[] };
    expect(data[0]!.placement).toMatchObject({ parallel: 4, contextSize: 2048, devices: [expect.objectContaining({ id: 'CPU', layers: 5, totalBytes: expect.any(Number) })] });
    expect(data[0]!.placement!.summary).toMatch(/^CPU: /);
  });

  it('reports itself healthy and lists the served model as loaded', async () => {
    const health = await (await fetch(`${serve.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok' });
    const models = (await (await fetch(`${serve.url}/v1/models`)).json()) as { data: { id: string; state: string }[] };
    expect(models.data).toEqual([expect.objectContaining({ id: 'stories260K', object: 'model', state: 'loaded' })]);
  });

  it('answers a non-streamed chat completion with the same text as the engine itself', async () => {
    // One engine at a time: two engines computing at once on a 2-core machine starve each other.
    const viaServe = await post(`${serve.url}/v1/chat/completions`, CHAT);
    const viaEngine = await direct.post('/v1/chat/completions', CHAT);
    expect(viaServe.status).toBe(200);
    expect(viaServe.headers.get('x-request-id')).toMatch(/^req-/);
    const a = (await viaServe.json()) as { choices: { message: { content: string } }[] };
    const b = (await viaEngine.json()) as { choices: { message: { content: string } }[] };
    expect(a.choices[0]!.message.content.length).toBeGreaterThan(10);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
  });

  it('streams a chat completion token by token, identical to the engine, ending with [DONE]', async () => {
    const body = { ...CHAT, stream: true };
    const viaServe = await post(`${serve.url}/v1/chat/completions`, body);
    const a = await readSse(viaServe);
    const b = await readSse(await direct.post('/v1/chat/completions', body));
    expect(viaServe.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(a.done).toBe(true);
    expect(a.events.length).toBeGreaterThan(5);
    expect(chatContent(a.events)).toBe(chatContent(b.events));
    expect(chatContent(a.events).length).toBeGreaterThan(10);
  });

  it('forwards /v1/completions, streamed and not', async () => {
    const body = { model: 'stories260K', prompt: 'Once upon a time', temperature: 0, seed: 42, max_tokens: 16 };
    const plain = (await (await post(`${serve.url}/v1/completions`, body)).json()) as { choices: { text: string }[] };
    const direct1 = (await (await direct.post('/v1/completions', body)).json()) as { choices: { text: string }[] };
    expect(plain.choices[0]!.text).toBe(direct1.choices[0]!.text);
    const streamed = await readSse(await post(`${serve.url}/v1/completions`, { ...body, stream: true }));
    expect(streamed.done).toBe(true);
    expect(streamed.events.map((e) => (e as { choices: { text: string }[] }).choices[0]!.text).join('')).toBe(plain.choices[0]!.text);
  });

  it('answers an unknown model with 404 in the OpenAI envelope, listing the models that exist', async () => {
    const res = await post(`${serve.url}/v1/chat/completions`, { ...CHAT, model: 'gpt-4' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; type: string; code: string; param: string } };
    expect(body.error).toMatchObject({ type: 'not_found_error', code: 'model_not_found', param: 'model' });
    expect(body.error.message).toContain('stories260K');
  });

  it('answers malformed JSON and a missing model field with 400 naming the problem', async () => {
    const bad = await fetch(`${serve.url}/v1/chat/completions`, { method: 'POST', body: '{"model": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const missing = await post(`${serve.url}/v1/chat/completions`, { messages: [] });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('model');
  });

  it('keeps the admin API closed without the admin token', async () => {
    const res = await fetch(`${serve.url}/api/v1/status`);
    expect(res.status).toBe(401);
  });

  it('stops the engine and exits cleanly on SIGTERM, leaving no llama-server behind', async () => {
    const enginePid = serve.enginePids.get('stories260K')!;
    expect(isAlive(enginePid)).toBe(true);
    const code = await serve.stop('SIGTERM');
    expect(code).toBe(0);
    await waitFor(() => !isAlive(enginePid), 'the engine to exit');
  });
});

describe('llama-orch serve without an engine', () => {
  it('fails with a message that says how to provide one', async () => {
    const data = tempDir();
    try {
      await expect(startServe(['--model', STORIES_MODEL, '--data-dir', data.path])).rejects.toThrow(/no llama-server engine is installed.*--engine/s);
    } finally {
      data.cleanup();
    }
  });
});
