// Chat state: the models the API serves, one conversation (in memory unless saving is on), the
// sampling parameters, and the answer being streamed.
import { create } from 'zustand';
import type { InstanceInfo, OpenAiModel } from '../../../../electron/contract/index.js';

export interface AnswerStats {
  /** Milliseconds from sending to the first token. */
  ttftMs: number | null;
  tokens: number;
  tokensPerSecond: number | null;
}

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  error: string | null;
  stats: AnswerStats | null;
  model: string | null;
}

export interface ChatParams {
  systemPrompt: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Empty: random. */
  seed: string;
  /** llama.cpp `ignore_eos`: keep writing until max tokens (for testing speed). */
  ignoreEos: boolean;
}

export const DEFAULT_PARAMS: ChatParams = { systemPrompt: '', temperature: 0.7, topP: 0.95, maxTokens: 1024, seed: '', ignoreEos: false };

interface ChatState {
  models: OpenAiModel[] | null;
  modelsError: string | null;
  model: string | null;
  instances: Record<string, InstanceInfo>;
  messages: ChatMessage[];
  params: ChatParams;
  busy: boolean;
  stopping: boolean;
  saving: boolean;
  error: string | null;
  modelsLoaded: (models: OpenAiModel[] | null, error?: string | null) => void;
  modelPicked: (model: string | null) => void;
  instanceChanged: (i: InstanceInfo) => void;
  instanceRemoved: (id: string) => void;
  paramsChanged: (p: Partial<ChatParams>) => void;
  savingKnown: (saving: boolean) => void;
  conversationRestored: (messages: ChatMessage[]) => void;
  questionAsked: (user: ChatMessage, answer: ChatMessage) => void;
  tokensArrived: (text: string) => void;
  answerEnded: (status: ChatMessage['status'], error: string | null, stats: AnswerStats | null) => void;
  stopAsked: () => void;
  lastAnswerDropped: () => void;
  conversationCleared: () => void;
  failed: (error: string | null) => void;
}

function updateLast(messages: ChatMessage[], fn: (m: ChatMessage) => ChatMessage): ChatMessage[] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant') return messages;
  const next = messages.slice(0, -1);
  next.push(fn(last));
  return next;
}

export const useChat = create<ChatState>((set) => ({
  models: null,
  modelsError: null,
  model: null,
  instances: {},
  messages: [],
  params: DEFAULT_PARAMS,
  busy: false,
  stopping: false,
  saving: false,
  error: null,
  modelsLoaded: (models, modelsError = null) => set((s) => ({ models, modelsError, model: s.model ?? models?.find((m) => m.state === 'loaded')?.id ?? models?.[0]?.id ?? null })),
  modelPicked: (model) => set({ model }),
  instanceChanged: (i) => set((s) => ({ instances: { ...s.instances, [i.id]: i } })),
  instanceRemoved: (id) =>
    set((s) => {
      const { [id]: _gone, ...rest } = s.instances;
      return { instances: rest };
    }),
  paramsChanged: (p) => set((s) => ({ params: { ...s.params, ...p } })),
  savingKnown: (saving) => set({ saving }),
  conversationRestored: (messages) => set({ messages }),
  questionAsked: (user, answer) => set((s) => ({ messages: [...s.messages, user, answer], busy: true, stopping: false, error: null })),
  tokensArrived: (text) => set((s) => ({ messages: updateLast(s.messages, (m) => ({ ...m, content: m.content + text })) })),
  answerEnded: (status, error, stats) => set((s) => ({ busy: false, stopping: false, messages: updateLast(s.messages, (m) => ({ ...m, status, error, stats })) })),
  stopAsked: () => set({ stopping: true }),
  lastAnswerDropped: () =>
    set((s) => {
      const last = s.messages[s.messages.length - 1];
      return last?.role === 'assistant' ? { messages: s.messages.slice(0, -1) } : {};
    }),
  conversationCleared: () => set({ messages: [], error: null }),
  failed: (error) => set({ error }),
}));
