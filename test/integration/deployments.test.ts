// Deployments end to end: saved through the admin API and through the CLI, surviving a restart of
// the real `llama-orch serve`, answering by alias through the OpenAI SDK with the saved argv, roles,
// and a corrupt deployments file kept aside.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeploymentListResponse, DeploymentView, InstanceInfo } from '../../electron/contract/index.js';
import { ModelLibrary } from '../../electron/core/models/library.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const CHAT = { messages: [{ role: 'user' as const, content: 'Once upon a time' }], max_tokens: 16, temperature: 0, seed: 7 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(dataDir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args, '--data-dir', dataDir], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

/** A serve on a data dir and an admin client using the token from its control file. */
async function serveOn(dataDir: string): Promise<{ serve: ServeHandle; admin: (path: string, init?: RequestInit) => Promise<Response> }> {
  const serve = await startServe(['--engine', testEnginePath(), '--data-dir', dataDir]);
  const { adminToken } = JSON.parse(readFileSync(join(dataDir, 'run', 'core.json'), 'utf8')) as { adminToken: string };
  const admin = (path: string, init: RequestInit = {}) => fetch(`${serve.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
  return { serve, admin };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

describe('deployments through the API', () => {
  const data = tempDir();
  let serve: ServeHandle | undefined;
  afterAll(async () => {
    await serve?.stop();
    data.cleanup();
  });

  it('saves a deployment (alias, CPU only, 2 slots, reproducible) that after a restart answers by alias through the OpenAI SDK with the saved argv', async () => {
    let s = await serveOn(data.path);
    serve = s.serve;
    const created = await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story', aliases: ['gpt-4o-mini'], overrides: { devices: ['cpu'], parallel: 2 }, reproducible: true }));
    expect(created.status).toBe(201);
    const loaded = (await (await s.admin('/api/v1/deployments/story/load?wait=1', { method: 'POST' })).json()) as InstanceInfo;
    expect(loaded.argv).toEqual(expect.arrayContaining(['--device', 'none', '-np', '2', '-b', '512', '--alias', 'story']));
    const saved = JSON.parse(readFileSync(join(data.path, 'deployments.json'), 'utf8'));
    expect(saved).toMatchObject({ schemaVersion: 1, deployments: [{ name: 'story', aliases: ['gpt-4o-mini'], overrides: { devices: ['cpu'], parallel: 2 }, reproducible: true }] });

    expect(await serve.stop()).toBe(0);
    s = await serveOn(data.path);
    serve = s.serve;
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'not-needed-on-loopback' });
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', ...CHAT });
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(answer.model).toBe('story');
    const list = (await (await s.admin('/api/v1/deployments')).json()) as DeploymentListResponse;
    expect(list.problems).toEqual([]);
    expect(list.data.find((d) => d.name === 'story')).toMatchObject({ saved: true, aliases: ['gpt-4o-mini'], instance: { state: 'ready', argv: loaded.argv } });
    const model = await client.models.retrieve('gpt-4o-mini');
    expect(model).toMatchObject({ id: 'story', aliases: ['gpt-4o-mini'], role: 'chat', state: 'loaded' });
  });

  it('refuses bad input with 400 naming the field, an alias clash with 409 and an unlisted engine flag, saving none of it', async () => {
    const s = await serveOnce();
    const before = readFileSync(join(data.path, 'deployments.json'), 'utf8');
    const cases: [unknown, number, string][] = [
      [{ model: STORIES_MODEL, name: 'bad name!' }, 400, 'name'],
      [{ model: STORIES_MODEL, name: 'x', overrides: { parallel: 0 } }, 400, 'overrides.parallel'],
      [{ model: STORIES_MODEL, name: 'x', role: 'painter' }, 400, 'role'],
      [{ model: STORIES_MODEL, name: 'x', aliases: ['GPT-4o-mini'] }, 409, 'aliases.0'],
      [{ model: STORIES_MODEL, name: 'x', extraFlags: ['--api-key', 'k'] }, 400, 'extraFlags.0'],
      [{ model: '/nowhere/m.gguf', name: 'x' }, 404, 'model'],
      [{ model: STORIES_MODEL, name: 'x', engine: 'b9999-not-installed' }, 400, 'engine'],
    ];
    for (const [body, status, param] of cases) {
      const r = await s.admin('/api/v1/deployments', post(body));
      const env = (await r.json()) as { error: { message: string; type: string; code: string; param: string } };
      expect({ status: r.status, param: env.error.param }).toEqual({ status, param });
      expect(env.error.message.length).toBeGreaterThan(10);
    }
    expect(readFileSync(join(data.path, 'deployments.json'), 'utf8')).toBe(before);
    // A change the planner refuses leaves the running engine as it was.
    const pid = ((await (await s.admin('/api/v1/deployments/story')).json()) as DeploymentView).instance!.pid;
    const refused = await s.admin('/api/v1/deployments/story', { method: 'PATCH', body: JSON.stringify({ overrides: { cacheTypeK: 'q8_0' } }) });
    expect(refused.status).toBe(409);
    expect(((await (await s.admin('/api/v1/deployments/story')).json()) as DeploymentView).instance).toMatchObject({ pid, state: 'ready' });
  });

  it('serves embeddings from a deployment with role embeddings, and refuses chat on it naming the deployment that chats', async () => {
    const s = await serveOnce();
    expect((await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story-embed', role: 'embeddings' }))).status).toBe(201);
    const client = new OpenAI({ baseURL: `${serve!.url}/v1`, apiKey: 'x' });
    const emb = await client.embeddings.create({ model: 'story-embed', input: 'a little story' });
    expect(emb.data[0]!.embedding.length).toBeGreaterThan(8);
    const chat = await fetch(`${serve!.url}/v1/chat/completions`, post({ model: 'story-embed', ...CHAT }));
    expect(chat.status).toBe(400);
    const err = ((await chat.json()) as { error: { message: string; code: string; param: string } }).error;
    expect(err).toMatchObject({ code: 'wrong_role', param: 'model' });
    expect(err.message).toMatch(/deployment 'story-embed' has role 'embeddings'.*deployment 'story' serves \/v1\/chat\/completions/);
    const wrongWay = await fetch(`${serve!.url}/v1/embeddings`, post({ model: 'gpt-4o-mini', input: 'x' }));
    expect(((await wrongWay.json()) as { error: { message: string } }).error.message).toMatch(/deployment 'story-embed' serves \/v1\/embeddings/);
  });

  it('serves /v1/rerank from a deployment with role rerank, and refuses rerank on a chat deployment', async () => {
    const s = await serveOnce();
    expect((await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story-rank', role: 'rerank' }))).status).toBe(201);
    const rerank = await fetch(`${serve!.url}/v1/rerank`, post({ model: 'story-rank', query: 'a cat', documents: ['a cat sat on the mat', 'dogs run fast'] }));
    expect(rerank.status).toBe(200);
    const ranked = (await rerank.json()) as { results: { index: number; relevance_score: number }[] };
    expect(ranked.results.map((r) => r.index).sort()).toEqual([0, 1]);
    expect((await fetch(`${serve!.url}/v1/rerank`, post({ model: 'story', query: 'q', documents: ['d'] }))).status).toBe(400);
  });

  it('passes tools and tool_choice through to a chat engine started with Jinja templates, and refuses image input without a projector', async () => {
    const s = await serveOnce();
    // A template that renders the tools' names: the prompt grows only if the tools reached the engine.
    const template = '{% for m in messages %}{{ m.content }}{% endfor %}{% if tools %} tools: {% for t in tools %}{{ t.function.name }} {% endfor %}{% endif %}';
    expect(
      (await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story-tools', overrides: { devices: ['cpu'], parallel: 1 }, extraFlags: ['--chat-template', template] }))).status,
    ).toBe(201);
    const loaded = (await (await s.admin('/api/v1/deployments/story-tools/load?wait=1', { method: 'POST' })).json()) as InstanceInfo;
    expect(loaded.argv.indexOf('--jinja')).toBeGreaterThan(-1);
    expect(loaded.argv.indexOf('--jinja')).toBeLessThan(loaded.argv.indexOf('--chat-template'));
    const client = new OpenAI({ baseURL: `${serve!.url}/v1`, apiKey: 'x' });
    const ask = { model: 'story-tools', messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], max_tokens: 4, temperature: 0 };
    const plain = await client.chat.completions.create(ask);
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', description: 'current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ];
    const withTools = await client.chat.completions.create({ ...ask, tools, tool_choice: 'auto' });
    expect(withTools.object).toBe('chat.completion');
    expect(withTools.choices[0]!.message.role).toBe('assistant');
    expect(withTools.usage!.prompt_tokens).toBeGreaterThan(plain.usage!.prompt_tokens);

    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' } };
    const refused = await fetch(
      `${serve!.url}/v1/chat/completions`,
      post({ model: 'story-tools', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }], max_tokens: 4 }),
    );
    expect(refused.status).toBe(400);
    const err = ((await refused.json()) as { error: { message: string; code: string; param: string; type: string } }).error;
    expect(err).toMatchObject({ code: 'no_vision_projector', param: 'messages', type: 'invalid_request_error' });
    expect(err.message).toMatch(/deployment 'story-tools' has no vision projector \(mmproj\) and cannot read image input; pair one with `llama-orch deploy .*--mmproj/);
  });

  it('saves a projector for a deployment and reports it; a projector path that is not a file is refused naming the field', async () => {
    const s = await serveOnce();
    const projector = join(data.path, 'mmproj-stories-F16.gguf');
    writeFileSync(projector, 'GGUF');
    const created = await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story-vision', mmproj: projector }));
    expect(created.status).toBe(201);
    expect((await created.json()) as DeploymentView).toMatchObject({ mmproj: projector, projector });
    const missing = await s.admin('/api/v1/deployments', post({ model: STORIES_MODEL, name: 'story-blind', mmproj: join(data.path, 'nope.gguf') }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string; message: string } }).error).toMatchObject({ param: 'mmproj', message: expect.stringMatching(/vision projector not found/) });
    expect((await s.admin('/api/v1/deployments/story-vision', { method: 'DELETE' })).status).toBeLessThan(300);
  });

  /** The serve of the first test, with its admin client. */
  async function serveOnce() {
    const { adminToken } = JSON.parse(readFileSync(join(data.path, 'run', 'core.json'), 'utf8')) as { adminToken: string };
    return { admin: (path: string, init: RequestInit = {}) => fetch(`${serve!.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } }) };
  }
});

describe('deployments through the CLI', () => {
  const data = tempDir();
  let serve: ServeHandle | undefined;
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
  });
  afterAll(() => data.cleanup());

  // A failure deadline, not a timing claim: about twelve CLI processes start one after another, and
  // each took 3–5 s when the machine was loaded (60 s ran out once at load average 23).
  it('deploys without a running core, then serve runs it by alias; ps, load, logs and unload talk to that serve', async () => {
    const deployed = await cli(data.path, 'deploy', STORIES_MODEL, '--name', 'tale', '--alias', 'default', '--devices', 'cpu', '--parallel', '2', '--reproducible', '--pin');
    expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/deployment tale saved: .*aliases default; devices cpu; 2 slots; reproducible; pinned/) });
    const refused = await cli(data.path, 'deploy', STORIES_MODEL, '--name', 'other', '--alias', 'DEFAULT');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/'DEFAULT' is already a name or alias of deployment 'tale'/);
    const offline = await cli(data.path, 'ps');
    expect(offline.stdout).toMatch(/tale\s+.*stories260K\.gguf\s+chat\s+\(no core running\).*default\s+yes/);

    ({ serve } = await serveOn(data.path));
    // Kept loaded (--pin): serve starts it without being asked.
    await waitFor(
      async () => (JSON.parse((await cli(data.path, 'ps', '--json')).stdout) as DeploymentListResponse).data.find((d) => d.name === 'tale')?.instance?.state === 'ready',
      'the pinned deployment to load at start',
      30_000,
      200,
    );
    const loaded = await cli(data.path, 'load', 'default');
    expect(loaded).toMatchObject({ code: 0, stdout: expect.stringMatching(/^tale: ready \(engine pid \d+/) });
    const ps = await cli(data.path, 'ps', '--json');
    const row = (JSON.parse(ps.stdout) as DeploymentListResponse).data.find((d) => d.name === 'tale')!;
    expect(row).toMatchObject({ pinned: true, instance: { state: 'ready', argv: expect.arrayContaining(['--device', 'none', '-np', '2', '-b', '512']) } });
    const answer = await new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'x' }).chat.completions.create({ model: 'default', ...CHAT });
    expect(answer.model).toBe('tale');
    const logs = await cli(data.path, 'logs', 'default', '--tail', '500');
    expect(logs.stdout).toMatch(/supervisor info starting .* for model tale/);
    expect(logs.stdout).not.toContain('Once upon a time'); // never the prompt
    expect(await cli(data.path, 'unload', 'tale')).toMatchObject({ code: 0, stdout: 'tale: unloaded\n' });
    expect((await cli(data.path, 'unload', 'tale')).stderr).toMatch(/'tale' has no running engine/);
    expect((await cli(data.path, 'unload', 'nothing')).stderr).toMatch(/model 'nothing' not found; available models: .*tale/);
    // A change through the CLI while serve runs goes through serve (re-planned, saved).
    expect((await cli(data.path, 'deploy', STORIES_MODEL, '--name', 'tale', '--parallel', '3')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(data.path, 'deployments.json'), 'utf8')).deployments[0].overrides).toEqual({ devices: ['cpu'], parallel: 3 });
  }, 180_000);
});

describe('a corrupt deployments file', () => {
  const data = tempDir();
  let serve: ServeHandle | undefined;
  afterAll(async () => {
    await serve?.stop();
    data.cleanup();
  });

  it('is kept aside and reported; serve starts and serves library models with defaults, creating no record', async () => {
    const model = await new ModelLibrary({ modelsDir: join(data.path, 'models') }).import(STORIES_MODEL, { link: true });
    writeFileSync(join(data.path, 'deployments.json'), '{"schemaVersion": 1, "deployments": [{"name": ');
    const s = await serveOn(data.path);
    serve = s.serve;
    expect(serve.output.join('\n')).toMatch(/warning: deployments file .*deployments\.json is not valid JSON.*kept aside as .*deployments\.json\.corrupt-/);
    const aside = readdirSync(data.path).filter((n) => n.startsWith('deployments.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(data.path, aside[0]!), 'utf8')).toBe('{"schemaVersion": 1, "deployments": [{"name": ');
    const answer = await new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'x' }).chat.completions.create({ model: model.id, ...CHAT });
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const list = (await (await s.admin('/api/v1/deployments')).json()) as DeploymentListResponse;
    expect(list.problems[0]).toMatch(/kept aside/);
    expect(list.data).toEqual([expect.objectContaining({ name: model.id, saved: false, instance: expect.objectContaining({ state: 'ready' }) })]);
    expect(existsSync(join(data.path, 'deployments.json'))).toBe(false);
  });
});
