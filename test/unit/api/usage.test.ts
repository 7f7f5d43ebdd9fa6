// Token counts and time per token read from the end of an answer: the `usage` object when there is
// one, else the `timings` llama-server puts in a stream's last event (streams without include_usage),
// so metrics, reports and a key's token quota also count streamed answers.
import { describe, expect, it } from 'vitest';
import { timePerToken, usageOf } from '../../../electron/core/api/gateway.js';

const timings = '"timings":{"prompt_n":12,"prompt_ms":3.1,"predicted_n":8,"predicted_ms":2.4,"predicted_per_token_ms":0.3}';

describe('usageOf', () => {
  it('reads the usage object of a non-streamed answer', () => {
    expect(usageOf('{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":42,"total_tokens":47},"timings":{"prompt_n":1,"predicted_n":1}}')).toEqual({ prompt: 42, completion: 5 });
    expect(usageOf(`data: {"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\n`)).toEqual({ prompt: 5, completion: 7 });
  });

  it("falls back to a stream's timings (cached + evaluated prompt tokens, predicted tokens)", () => {
    const tail =
      'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"object":"chat.completion.chunk","timings":{"cache_n":10,"prompt_n":32,"prompt_ms":3.7,"predicted_n":5,"predicted_ms":9.6}}\n\ndata: [DONE]\n\n';
    expect(usageOf(tail)).toEqual({ prompt: 42, completion: 5 });
    expect(usageOf(`data: {"choices":[],${timings}}\n\ndata: [DONE]\n\n`)).toEqual({ prompt: 12, completion: 8 });
  });

  it('knows nothing when the answer has neither', () => {
    expect(usageOf('data: {"choices":[]}\n\n')).toBeNull();
  });
});

describe('timePerToken', () => {
  it("prefers the engine's own figure, else spreads the time after the first token", () => {
    expect(timePerToken(`{${timings}}`, 8, 100, 20)).toBe(0.3);
    expect(timePerToken('{}', 9, 100, 20)).toBe(10);
    expect(timePerToken('{}', 1, 100, 20)).toBeNull();
    expect(timePerToken('{}', 9, 100, null)).toBeNull();
  });
});
