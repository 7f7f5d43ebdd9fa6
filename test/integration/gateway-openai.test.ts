// The gateway through the official `openai` SDK against the real engine: chat (stream and not),
// completions, embeddings, model listing and errors.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core.js';

describe('OpenAI SDK against the gateway', () => {
  let t: TestCore;
  let client: OpenAI;

  beforeAll(async () => {
    t = await startTestCore({}, [{ id: 'stories260K' }, { id: 'stories-embed', role: 'embeddings' }]);
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
  });
  afterAll(() => t?.close());

  it('lists every servable model with its state', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id).sort();
    expect(ids).toEqual(['stories-embed', 'stories260K']);
  });

  it('answers a chat completion and loads the model on demand', async () => {
    const r = await client.chat.completions.create({ model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24, temperature: 0, seed: 7 });
    expect(r.choices[0]!.message.content!.length).toBeGreaterThan(5);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(t.core.supervisor.findByModel('stories260K')!.info().state).toBe('ready');
  });

  it('streams a chat completion with the same text as the non-streamed one', async () => {
    const req = { model: 'stories260K', messages: [{ role: 'user' as const, content: 'The cat' }], max_tokens: 32, temperature: 0, seed: 7 };
    const plain = await client.chat.completions.create(req);
    const stream = await client.chat.completions.create({ ...req, stream: true });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      chunks++;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toBe(plain.choices[0]!.message.content);
  });

  it('answers text completions', async () => {
    const r = await client.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 16, temperature: 0 });
    expect(r.choices[0]!.text.length).toBeGreaterThan(3);
  });

  it('returns embeddings from a model served with embeddings on', async () => {
    const r = await client.embeddings.create({ model: 'stories-embed', input: ['hello world', 'a big red ball'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]!.embedding).toHaveLength(64);
    expect(r.data[0]!.embedding).not.toEqual(r.data[1]!.embedding);
  });

  it('raises NotFoundError for an unknown model, naming the models that exist', async () => {
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).message).toMatch(/stories260K/);
  });

  it('raises BadRequestError naming the field for an invalid body', async () => {
    const err = await client.chat.completions.create({ model: 'stories260K', messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');
  });
});
