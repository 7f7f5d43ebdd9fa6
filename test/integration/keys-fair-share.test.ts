// Fair share of a deployment's slots between keys, against the real engine: one key's 16 parallel
// streams do not starve a second key's single request. The stated bound: the second key's time to
// first token is at most its idle TTFT plus one of the burst's requests (the wait for the next slot
// to free; running requests are never pre-empted), plus a second of slack for a loaded machine.
// Without fair share it would wait behind the whole queued burst (16 requests on 2 slots).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core.js';

const MODEL = 'stories260K';

/** One streamed chat: when its first content arrived and when it ended (performance.now()). */
async function streamOnce(client: OpenAI, maxTokens: number): Promise<{ startedAt: number; firstAt: number; endAt: number }> {
  const startedAt = performance.now();
  const body = {
    model: MODEL,
    messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    ignore_eos: true,
  } as OpenAI.ChatCompletionCreateParamsStreaming;
  const stream = await client.chat.completions.create(body);
  let firstAt = -1;
  for await (const chunk of stream) if (firstAt < 0 && chunk.choices[0]?.delta?.content) firstAt = performance.now();
  return { startedAt, firstAt, endAt: performance.now() };
}

async function until(check: () => boolean, what: string, state: () => string, ms = 30_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${state()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fair share of slots between keys (real engine)', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({}, [{ id: MODEL, parallel: 2 }]);
  });
  afterAll(() => t?.close());

  it("keeps a second key's single request from waiting behind one key's 16 parallel streams", async () => {
    const burst = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.core.keys.create('batch script', 'inference').key, maxRetries: 0 });
    const single = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.core.keys.create('mail plug-in', 'inference').key, maxRetries: 0 });
    await streamOnce(single, 4); // loads the engine
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await streamOnce(single, 4);
      idle.push(r.firstAt - r.startedAt);
    }
    const idleTtft = idle.sort((a, b) => a - b)[1]!;

    // Long answers, so the burst still holds the slots with most of it queued however slowly its
    // requests arrive on a loaded machine (with short ones the first could end before the last came).
    const burstRuns = Array.from({ length: 16 }, () => streamOnce(burst, 400));
    // Send the single request once the burst holds both slots and most of it is queued.
    await until(
      () => t.core.admission.running(MODEL) === 2 && t.core.admission.queued(MODEL) >= 8,
      'the burst to be queued',
      () => `running ${t.core.admission.running(MODEL)}, queued ${t.core.admission.queued(MODEL)}`,
    );
    const queuedAhead = t.core.admission.queued(MODEL);
    const mine = await streamOnce(single, 4);
    const burstResults = await Promise.all(burstRuns);

    const ttft = mine.firstAt - mine.startedAt;
    const longestBurstRequest = Math.max(...burstResults.map((r) => r.endAt - r.firstAt));
    const servedAfterMine = burstResults.filter((r) => r.firstAt > mine.firstAt).length;
    console.log(
      `fair share: idle TTFT ${idleTtft.toFixed(0)} ms, TTFT behind a 16-stream burst ${ttft.toFixed(0)} ms, longest burst request ${longestBurstRequest.toFixed(0)} ms, burst requests queued ahead of it ${queuedAhead}, served after it ${servedAfterMine}`,
    );
    // It took the next free slot (first-in first-out would serve every queued burst request first):
    // all but the (at most two) that a slot freed for while it was on its way started after it.
    expect(servedAfterMine).toBeGreaterThanOrEqual(queuedAhead - 2);
    expect(ttft).toBeLessThanOrEqual(idleTtft + longestBurstRequest + 1000);
  }, 120_000);
});
