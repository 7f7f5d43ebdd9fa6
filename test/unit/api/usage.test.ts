// Token counts and time per token read from the tail of an engine's answer.
import { describe, expect, it } from 'vitest';
import { timePerToken, usageOf } from '../../../electron/core/api/gateway.js';

const timings = '"timings":{"prompt_n":12,"prompt_ms":3.1,"predicted_n":8,"predicted_ms":2.4,"predicted_per_token_ms":0.3}';

describe('usageOf', () => {
  it('reads the last usage object, else the engine timings of a stream without include_usage', () => {
    expect(usageOf(`data: {"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\n`)).toEqual({ prompt: 5, completion: 7 });
    expect(usageOf(`data: {"choices":[],${timings}}\n\ndata: [DONE]\n\n`)).toEqual({ prompt: 12, completion: 8 });
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
