// Which request bodies carry image input (and so need a deployment with a vision projector): the
// OpenAI chat, OpenAI responses and Anthropic messages shapes; text-only bodies never do.
import { describe, expect, it } from 'vitest';
import { hasImageInput } from '../../../electron/core/api/openai.js';

describe('image input in a request body', () => {
  it('finds image parts in chat messages, responses input and Anthropic messages', () => {
    expect(
      hasImageInput({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
            ],
          },
        ],
      }),
    ).toBe(true);
    expect(hasImageInput({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA==' }] }] })).toBe(true);
    expect(hasImageInput({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA==' } }] }] })).toBe(true);
  });

  it('finds none in text, audio, tool calls or a plain string input', () => {
    expect(hasImageInput({ messages: [{ role: 'user', content: 'an image_url in text' }] })).toBe(false);
    expect(
      hasImageInput({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{}] },
        ],
      }),
    ).toBe(false);
    expect(hasImageInput({ input: 'describe a picture' })).toBe(false);
    expect(hasImageInput({ prompt: 'x' })).toBe(false);
  });
});
