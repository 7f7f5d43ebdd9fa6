import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { EmptyState, ErrorNote, ProgressBar } from '../../components/ui.js';
import { href, useRoute } from '../../lib/router.js';
import { chatOpened, conversationCleared, modelLoadRequested, modelPicked, questionSent, regenerateRequested, stopRequested } from './actions.js';
import { Message } from './Message.js';
import { selectModelState } from './selectors.js';
import { useChat } from './store.js';

function Controls() {
  const s = useChat();
  const p = s.params;
  const ms = selectModelState(s);
  return (
    <aside className="chat-side" aria-label="Chat settings">
      <label className="field">
        <span>Model</span>
        <select value={s.model ?? ''} onChange={(e) => modelPicked(e.target.value)} data-testid="chat-model">
          {s.models?.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id}
            </option>
          ))}
        </select>
      </label>
      <div className="model-state" data-testid="chat-model-state" data-state={ms.state}>
        {ms.state === 'loaded' && <span className="badge state-ready">Loaded</span>}
        {ms.state === 'loading' && (
          <>
            <span className="badge state-starting">Loading…</span>
            <ProgressBar label="Model loading" value={0} max={null} />
          </>
        )}
        {ms.state === 'unloaded' && s.model && (
          <>
            <span className="muted small">Not loaded: it loads on the first message. </span>
            <button type="button" className="btn small" onClick={() => void modelLoadRequested(s.model!)}>
              Load now
            </button>
          </>
        )}
        {ms.state === 'failed' && <p className="error">Failed to load{ms.reason ? `: ${ms.reason}` : ''}</p>}
      </div>
      <label className="field">
        <span>System prompt</span>
        <textarea rows={3} value={p.systemPrompt} onChange={(e) => s.paramsChanged({ systemPrompt: e.target.value })} placeholder="You are a helpful assistant." />
      </label>
      <label className="field">
        <span>Temperature {p.temperature.toFixed(2)}</span>
        <input type="range" min={0} max={2} step={0.05} value={p.temperature} onChange={(e) => s.paramsChanged({ temperature: Number(e.target.value) })} />
      </label>
      <label className="field">
        <span>Top-p {p.topP.toFixed(2)}</span>
        <input type="range" min={0} max={1} step={0.01} value={p.topP} onChange={(e) => s.paramsChanged({ topP: Number(e.target.value) })} />
      </label>
      <label className="field">
        <span>Max tokens</span>
        <input type="number" min={1} max={131072} value={p.maxTokens} onChange={(e) => s.paramsChanged({ maxTokens: Math.max(1, Number(e.target.value) || 1) })} data-testid="chat-max-tokens" />
      </label>
      <label className="field">
        <span>Seed (empty: random)</span>
        <input type="number" value={p.seed} onChange={(e) => s.paramsChanged({ seed: e.target.value })} />
      </label>
      <details className="advanced">
        <summary>Advanced</summary>
        <label className="check-field">
          <input type="checkbox" checked={p.ignoreEos} onChange={(e) => s.paramsChanged({ ignoreEos: e.target.checked })} data-testid="chat-ignore-eos" /> Keep writing until max tokens (ignore the end
          of text; for speed tests)
        </label>
      </details>
      <p className="muted small">{s.saving ? 'Conversations are saved on this computer (Settings).' : 'This conversation is kept in memory only.'}</p>
    </aside>
  );
}

export function ChatPage() {
  const route = useRoute();
  const { models, modelsError, messages, busy, stopping, error, model } = useChat();
  const [text, setText] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => chatOpened(route.params.get('model')), [route.params]);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    if (!text.trim() || busy) return;
    questionSent(text);
    setText('');
    stick.current = true;
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) send(e);
  };

  if (models && models.length === 0)
    return (
      <main className="page" aria-labelledby="page-title">
        <h1 id="page-title">Chat</h1>
        <EmptyState
          title="There is no model to chat with yet."
          action={
            <a className="btn primary" href={href('models')}>
              Add a model
            </a>
          }
        />
      </main>
    );
  const last = messages[messages.length - 1];
  return (
    <main className="page page-fill chat" aria-labelledby="page-title">
      <div className="section-head">
        <h1 id="page-title">Chat</h1>
        <button type="button" className="btn small" onClick={conversationCleared} disabled={busy || messages.length === 0}>
          New conversation
        </button>
      </div>
      <ErrorNote message={modelsError && `The model list could not be read: ${modelsError}`} />
      <ErrorNote message={error} />
      <div className="chat-layout">
        <section className="chat-main" aria-label="Conversation">
          <div
            className="chat-list"
            ref={listRef}
            onScroll={(e) => {
              const el = e.currentTarget;
              stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
            }}
            data-testid="chat-list"
          >
            {messages.length === 0 && (
              <EmptyState title={model ? `Ask ${model} something.` : 'Pick a model to start.'}>Answers stream in as they are written. Press Enter to send, Shift+Enter for a new line.</EmptyState>
            )}
            {messages.map((m) => (
              <Message key={m.id} m={m} />
            ))}
          </div>
          <form className="composer" onSubmit={send}>
            <label className="visually-hidden" htmlFor="chat-input">
              Message
            </label>
            <textarea id="chat-input" rows={2} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} placeholder="Type a message…" data-testid="chat-input" />
            {busy ? (
              <button type="button" className="btn danger" onClick={() => void stopRequested()} disabled={stopping} data-testid="chat-stop">
                {stopping ? 'Stopping…' : 'Stop'}
              </button>
            ) : (
              <>
                <button type="submit" className="btn primary" disabled={!text.trim() || !model} data-testid="chat-send">
                  Send
                </button>
                {last?.role === 'assistant' && (
                  <button type="button" className="btn" onClick={regenerateRequested} data-testid="chat-regenerate">
                    Regenerate
                  </button>
                )}
              </>
            )}
          </form>
        </section>
        <Controls />
      </div>
    </main>
  );
}
