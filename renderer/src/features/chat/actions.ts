// Chat actions: pick a model (it loads on demand), send a question and stream the answer batched per
// animation frame, stop it (a real cancel on the core), regenerate, and keep the conversation only in
// memory unless saving is turned on in settings.
import { api, errorMessage } from '../../lib/api.js';
import { markFirstChat } from '../../lib/first-run.js';
import { FrameBatcher } from '../../lib/frame-batcher.js';
import { buildRequest } from './selectors.js';
import { useChat, type AnswerStats, type ChatMessage } from './store.js';

const SAVE_KEY = 'llama-orch.conversation';
/** How long a stop waits for the core to end the stream before the request is dropped locally. */
const STOP_GRACE_MS = 3000;

let nextId = 1;
let inFlight: { controller: AbortController; requestId: string | null } | null = null;

/** The naive per-token mode exists only for the UI benchmark's baseline. */
function flushMode(): 'frame' | 'token' {
  try {
    return localStorage.getItem('llama-orch.chatFlush') === 'token' ? 'token' : 'frame';
  } catch {
    return 'frame';
  }
}

export function chatOpened(wantedModel: string | null): () => void {
  const s = useChat.getState();
  if (wantedModel) s.modelPicked(wantedModel);
  void refreshModels();
  api.instances().then(
    (r) => r.data.forEach(useChat.getState().instanceChanged),
    () => undefined,
  );
  api.settings().then(
    (st) => {
      useChat.getState().savingKnown(st.ui.saveConversations);
      if (st.ui.saveConversations && useChat.getState().messages.length === 0) restore();
    },
    () => undefined,
  );
  return api.onEvent((ev) => {
    const st = useChat.getState();
    if (ev.type === 'instance.state') st.instanceChanged(ev.instance);
    else if (ev.type === 'instance.removed') st.instanceRemoved(ev.id);
  });
}

export async function refreshModels(): Promise<void> {
  try {
    const list = await api.servedModels();
    useChat.getState().modelsLoaded(list.data);
  } catch (err) {
    useChat.getState().modelsLoaded(null, errorMessage(err));
  }
}

export function modelPicked(model: string): void {
  useChat.getState().modelPicked(model);
}

export async function modelLoadRequested(model: string): Promise<void> {
  try {
    await api.startInstance({ model });
  } catch (err) {
    useChat.getState().failed(errorMessage(err));
  }
}

export function questionSent(text: string): void {
  const s = useChat.getState();
  if (!s.model || s.busy || !text.trim()) return;
  const user: ChatMessage = { id: nextId++, role: 'user', content: text, status: 'done', error: null, stats: null, model: null };
  void stream([...s.messages, user], user);
}

export function regenerateRequested(): void {
  const s = useChat.getState();
  if (s.busy) return;
  const lastUser = [...s.messages].reverse().find((m) => m.role === 'user');
  if (!lastUser) return;
  s.lastAnswerDropped();
  const history = useChat.getState().messages;
  useChat.getState().conversationRestored(history.slice(0, -1)); // the user message is asked again
  void stream(history, lastUser);
}

async function stream(history: ChatMessage[], user: ChatMessage): Promise<void> {
  const s = useChat.getState();
  const model = s.model!;
  const answer: ChatMessage = { id: nextId++, role: 'assistant', content: '', status: 'streaming', error: null, stats: null, model };
  s.questionAsked(user, answer);
  const controller = new AbortController();
  inFlight = { controller, requestId: null };
  const batcher = new FrameBatcher<string>((parts) => useChat.getState().tokensArrived(parts.join('')), flushMode());
  const sentAt = performance.now();
  let firstAt: number | null = null;
  let chunks = 0;
  let usageTokens: number | null = null;
  try {
    const result = await api.chatStream(
      buildRequest(model, history, s.params),
      {
        onStart: (id) => inFlight && (inFlight.requestId = id),
        onToken: (t) => {
          firstAt ??= performance.now();
          chunks++;
          batcher.push(t);
        },
        onUsage: (n) => (usageTokens = n),
      },
      controller.signal,
    );
    batcher.drain();
    const stopped = result.end === 'cancelled' || result.end === 'aborted';
    useChat.getState().answerEnded(stopped ? 'stopped' : result.error ? 'error' : 'done', stopped ? null : result.error, stats(sentAt, firstAt, usageTokens ?? chunks));
    if (!result.error || stopped) markFirstChat();
  } catch (err) {
    batcher.drain();
    useChat.getState().answerEnded('error', errorMessage(err), stats(sentAt, firstAt, usageTokens ?? chunks));
  } finally {
    inFlight = null;
    persist();
  }
}

function stats(sentAt: number, firstAt: number | null, tokens: number): AnswerStats {
  const end = performance.now();
  const genSeconds = firstAt === null ? 0 : (end - firstAt) / 1000;
  return { ttftMs: firstAt === null ? null : firstAt - sentAt, tokens, tokensPerSecond: genSeconds > 0 && tokens > 1 ? (tokens - 1) / genSeconds : null };
}

/** Stop: cancel the request on the core (the engine stops generating), then drop it locally. */
export async function stopRequested(): Promise<void> {
  const req = inFlight;
  if (!req) return;
  useChat.getState().stopAsked();
  const fallback = setTimeout(() => req.controller.abort(), STOP_GRACE_MS);
  try {
    if (req.requestId) await api.cancelRequest(req.requestId);
    else req.controller.abort();
  } catch {
    req.controller.abort(); // the request already ended or the core does not know it
  } finally {
    if (!inFlight) clearTimeout(fallback);
  }
}

export function conversationCleared(): void {
  useChat.getState().conversationCleared();
  persist();
}

function persist(): void {
  const s = useChat.getState();
  try {
    if (s.saving) localStorage.setItem(SAVE_KEY, JSON.stringify(s.messages.filter((m) => m.status !== 'streaming')));
    else localStorage.removeItem(SAVE_KEY);
  } catch {
    // storage full or unavailable: the conversation stays in memory
  }
}

function restore(): void {
  try {
    const raw = localStorage.getItem(SAVE_KEY);
    if (!raw) return;
    const messages = JSON.parse(raw) as ChatMessage[];
    nextId = Math.max(nextId, ...messages.map((m) => m.id + 1));
    useChat.getState().conversationRestored(messages);
  } catch {
    // a corrupt saved conversation is ignored
  }
}
