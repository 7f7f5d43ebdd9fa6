// Derived chat views: the selected model's load state, the request messages.
import type { ChatRequest } from '../../lib/api.js';
import type { ChatMessage, ChatParams } from './store.js';
import { useChat } from './store.js';

type State = ReturnType<typeof useChat.getState>;

/** `loaded`, `loading` (with the engine starting), `unloaded` (loads on first message) or `failed`. */
export function selectModelState(s: State): { state: 'loaded' | 'loading' | 'unloaded' | 'failed'; reason: string | null } {
  if (!s.model) return { state: 'unloaded', reason: null };
  const inst = Object.values(s.instances).find((i) => i.modelId.toLowerCase() === s.model!.toLowerCase());
  if (inst) {
    if (inst.state === 'ready') return { state: 'loaded', reason: null };
    if (inst.state === 'starting') return { state: 'loading', reason: null };
    if (inst.state === 'failed') return { state: 'failed', reason: inst.reason };
  }
  const listed = s.models?.find((m) => m.id === s.model)?.state;
  return { state: listed === 'loaded' ? 'loaded' : listed === 'loading' ? 'loading' : listed === 'failed' ? 'failed' : 'unloaded', reason: null };
}

export function buildRequest(model: string, history: ChatMessage[], params: ChatParams): ChatRequest {
  const messages: ChatRequest['messages'] = [];
  if (params.systemPrompt.trim()) messages.push({ role: 'system', content: params.systemPrompt });
  for (const m of history) if (m.content || m.role === 'user') messages.push({ role: m.role, content: m.content });
  const seed = params.seed.trim() === '' ? undefined : Number(params.seed);
  return {
    model,
    messages,
    temperature: params.temperature,
    top_p: params.topP,
    max_tokens: params.maxTokens,
    ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
    ...(params.ignoreEos ? { ignore_eos: true } : {}),
  };
}
