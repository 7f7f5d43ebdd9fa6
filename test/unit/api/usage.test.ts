// Token counts read from the end of an answer: the `usage` object when there is one, else the
// `timings` llama-server puts in a stream's last event (streams without include_usage), so a key's
// token quota also counts streamed answers.
import { describe, expect, it } from 'vitest';
import { usageOf } from '../../../electron/core/api/gateway.js';

describe('usageOf', () => {
  it('reads the usage object of a non-streamed answer', () => {
    expect(usageOf('{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":42,"total_tokens":47},"timings":{"prompt_n":1,"predicted_n":1}}')).toEqual({ prompt: 42, completion: 5 });
  });

  it("falls back to a stream's timings (cached + evaluated prompt tokens, predicted tokens)", () => {
    const tail = 'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"object":"chat.completion.chunk","timings":{"cache_n":10,"prompt_n":32,"prompt_ms":3.7,"predicted_n":5,"predicted_ms":9.6}}\n\ndata: [DONE]\n\n';
    expect(usageOf(tail)).toEqual({ prompt: 42, completion: 5 });
  });

  it('knows nothing when the answer has neither', () => {
    expect(usageOf('data: {"choices":[]}\n\n')).toBeNull();
  });
});
