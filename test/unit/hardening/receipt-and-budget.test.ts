// The receipt keeps only validated scalars and hashes long values; the planner's RAM budget counts
// every engine's prompt cache.
import { describe, expect, it } from 'vitest';
import { samplingOf, validateInference } from '../../../electron/core/api/openai.js';
import { hostBudget } from '../../../electron/core/placement/devices.js';
import { DEFAULT_PLACEMENT_SETTINGS } from '../../../electron/core/placement/planner.js';
import type { PlannerMachine } from '../../../electron/core/placement/devices.js';

describe('receipt sampling', () => {
  it('hashes a 20,000-character stop and copies short scalars', () => {
    const s = samplingOf({ temperature: 0.5, seed: 7, stop: 'x'.repeat(20_000) });
    expect(s.temperature).toBe(0.5);
    expect(s.seed).toBe(7);
    expect(s.stop).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(s).length).toBeLessThan(200);
  });

  it('never copies objects (a 30 KB presence_penalty object is refused by validation first)', () => {
    expect(samplingOf({ presence_penalty: { a: 'x'.repeat(30_000) } })).toEqual({});
    expect(() => validateInference('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], presence_penalty: { a: 1 } })).toThrow(/presence_penalty/);
  });
});

describe('request validation of OpenAI-defined fields', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    ['tools: true', { ...base, tools: true }, 'tools'],
    ['a text part whose text is a number', { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages.0.content.0.text'],
    ['an image part without a url', { ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages.0.content.0.image_url'],
    ['tool_choice as a number', { ...base, tool_choice: 3 }, 'tool_choice'],
    ['grammar as an object', { ...base, grammar: {} }, 'grammar'],
  ])('refuses %s naming the field', (_n, body, field) => {
    expect(() => validateInference('/v1/chat/completions', body)).toThrow(new RegExp(`\`${field.replace(/\./g, '\\.')}\``));
  });

  it('passes unknown fields and well-formed tools through', () => {
    const body = { ...base, cache_prompt: true, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'auto' };
    expect(validateInference('/v1/chat/completions', body)).toMatchObject({ cache_prompt: true });
  });
});

describe('host RAM budget', () => {
  const GiB = 1024 ** 3;
  const machine = {
    hardware: { memory: { totalBytes: 32 * GiB, availableBytes: 32 * GiB }, gpus: [] },
    running: [{ instanceId: 'a', bytesByDevice: {}, idle: true, pinned: false, lastUsedAt: 0 }],
  } as unknown as PlannerMachine;
  it('reserves the prompt cache of the new engine and of each running one', () => {
    const without = hostBudget(machine, DEFAULT_PLACEMENT_SETTINGS, new Set()).availableBytes;
    const withCache = hostBudget(machine, { ...DEFAULT_PLACEMENT_SETTINGS, promptCacheBytes: 2 * GiB }, new Set()).availableBytes;
    expect(without - withCache).toBe(4 * GiB);
    const evicted = hostBudget(machine, { ...DEFAULT_PLACEMENT_SETTINGS, promptCacheBytes: 2 * GiB }, new Set(['a'])).availableBytes;
    expect(without - evicted).toBe(2 * GiB);
  });
});
