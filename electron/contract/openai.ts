// Request bodies of the OpenAI-compatible /v1 routes: the OpenAI-defined fields are checked strictly
// (a wrong type would otherwise reach the engine, whose JSON reader answers 500 — and SDKs retry 5xx);
// unknown fields pass through to the engine untouched (llama-server has its own, e.g. `cache_prompt`).
import { z } from 'zod';

const num = z.number().finite();
const str = z.string();
const common = {
  model: z
    .string({ error: (i) => (i.input === undefined ? 'required' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty'),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional().nullable(),
  seed: z.number().int().optional().nullable(),
  temperature: num.min(0).max(100).optional().nullable(),
  top_p: num.min(0).max(1).optional().nullable(),
  top_k: z.number().int().min(0).optional(),
  min_p: num.min(0).max(1).optional(),
  max_tokens: z.number().int().min(-1).optional().nullable(),
  max_completion_tokens: z.number().int().min(-1).optional().nullable(),
  n_predict: z.number().int().optional(),
  n: z.number().int().min(1).max(128).optional().nullable(),
  presence_penalty: num.min(-2).max(2).optional().nullable(),
  frequency_penalty: num.min(-2).max(2).optional().nullable(),
  repeat_penalty: num.optional(),
  logprobs: z
    .union([z.boolean(), z.number().int().min(0)])
    .optional()
    .nullable(),
  top_logprobs: z.number().int().min(0).max(20).optional().nullable(),
  logit_bias: z.record(str, num).optional().nullable(),
  user: str.optional(),
  stop: z
    .union([str, z.array(str).max(16, 'at most 16 stop sequences')])
    .optional()
    .nullable(),
  grammar: str.optional().nullable(),
  json_schema: z.looseObject({}).optional().nullable(),
  response_format: z
    .looseObject({ type: str, json_schema: z.looseObject({}).optional() })
    .optional()
    .nullable(),
};
const tool = z.looseObject({
  type: str,
  function: z.looseObject({ name: str, description: str.optional(), parameters: z.looseObject({}).optional(), strict: z.boolean().optional().nullable() }).optional(),
});
const toolFields = {
  tools: z.array(tool).optional().nullable(),
  tool_choice: z
    .union([str, z.looseObject({ type: str, function: z.looseObject({ name: str }).optional() })])
    .optional()
    .nullable(),
  parallel_tool_calls: z.boolean().optional().nullable(),
};
/** A content part: the known types are checked field by field, other types pass through to the engine. */
const part = z.looseObject({ type: str }).superRefine((p, ctx) => {
  const need = (field: string, ok: boolean, what: string) => ok || ctx.addIssue({ code: 'custom', path: [field], message: what });
  if (p.type === 'text') need('text', typeof p.text === 'string', 'must be a string');
  else if (p.type === 'image_url') need('image_url', typeof p.image_url === 'string' || typeof (p.image_url as { url?: unknown } | null)?.url === 'string', 'must be an object with a string `url`');
  else if (p.type === 'input_audio') {
    const a = p.input_audio as { data?: unknown; format?: unknown } | null;
    need('input_audio', typeof a?.data === 'string' && typeof a?.format === 'string', 'must be an object with string `data` and `format`');
  }
});
const content = z.union([str, z.array(part), z.null()]);
const message = z.looseObject({ role: str, content: content.optional(), name: str.optional(), tool_calls: z.array(z.looseObject({})).optional().nullable(), tool_call_id: str.optional() });
const prompt = z.union([str, z.array(str), z.array(z.number().int()), z.array(z.array(z.number().int()))]);

export const chatCompletionsRequestSchema = z.looseObject({ ...common, ...toolFields, messages: z.array(message).min(1, 'must contain at least one message') });
export const completionsRequestSchema = z.looseObject({ ...common, prompt });
export const embeddingsRequestSchema = z.looseObject({ model: common.model, input: prompt, encoding_format: z.enum(['float', 'base64']).optional() });
export const rerankRequestSchema = z.looseObject({ model: common.model, query: z.string(), documents: z.array(z.string()).min(1, 'must contain at least one document') });
export const responsesRequestSchema = z.looseObject({ ...common, ...toolFields, input: z.unknown() });
// Anthropic's tool shapes differ ({name, input_schema}; tool_choice {type, name}): objects only.
export const messagesRequestSchema = z.looseObject({
  ...common,
  tools: z.array(z.looseObject({})).optional().nullable(),
  tool_choice: z.looseObject({}).optional().nullable(),
  messages: z.array(message).min(1, 'must contain at least one message'),
});
