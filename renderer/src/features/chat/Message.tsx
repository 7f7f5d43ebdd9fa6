import { memo } from 'react';
import { Markdown } from '../../lib/markdown.js';
import type { ChatMessage } from './store.js';

function Stats({ m }: { m: ChatMessage }) {
  if (!m.stats) return null;
  const { ttftMs, tokens, tokensPerSecond } = m.stats;
  return (
    <p className="msg-stats muted small" data-testid="answer-stats">
      {tokens} tokens · first token {ttftMs === null ? '—' : `${Math.round(ttftMs)} ms`} · {tokensPerSecond === null ? '—' : `${tokensPerSecond.toFixed(0)} tokens/s`}
      {m.status === 'stopped' && ' · stopped'}
    </p>
  );
}

export const Message = memo(function Message({ m }: { m: ChatMessage }) {
  return (
    <article className={`msg msg-${m.role}`} data-testid={`msg-${m.role}`} data-status={m.status} aria-label={m.role === 'user' ? 'You' : `Answer from ${m.model ?? 'the model'}`}>
      <div className="msg-role">{m.role === 'user' ? 'You' : (m.model ?? 'Assistant')}</div>
      {m.role === 'user' ? <p className="msg-user-text">{m.content}</p> : <Markdown text={m.content} />}
      {m.status === 'streaming' && !m.content && <p className="muted">Thinking… (the model loads first if it is not loaded yet)</p>}
      {m.error && (
        <p role="alert" className="error">
          {m.error}
        </p>
      )}
      <Stats m={m} />
    </article>
  );
});
