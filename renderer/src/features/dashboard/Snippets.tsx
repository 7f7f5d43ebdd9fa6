import { useState } from 'react';
import { CopyButton } from '../../components/ui.js';

type Lang = 'curl' | 'python' | 'js';

export function snippet(lang: Lang, baseUrl: string, model: string): string {
  const m = JSON.stringify(model);
  if (lang === 'curl')
    return `curl ${baseUrl}/chat/completions \\\n  -H "Content-Type: application/json" \\\n  -H "Authorization: Bearer $LLAMA_ORCH_KEY" \\\n  -d '{"model": ${m}, "messages": [{"role": "user", "content": "Hello"}]}'`;
  if (lang === 'python')
    return `from openai import OpenAI\n\nclient = OpenAI(base_url="${baseUrl}", api_key="YOUR_KEY")  # any text while no key exists\nreply = client.chat.completions.create(\n    model=${m},\n    messages=[{"role": "user", "content": "Hello"}],\n)\nprint(reply.choices[0].message.content)`;
  return `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${baseUrl}', apiKey: 'YOUR_KEY' });\nconst reply = await client.chat.completions.create({\n  model: ${m},\n  messages: [{ role: 'user', content: 'Hello' }],\n});\nconsole.log(reply.choices[0].message.content);`;
}

const LABELS: Record<Lang, string> = { curl: 'curl', python: 'Python', js: 'JavaScript' };

export function Snippets({ apiBaseUrl, model }: { apiBaseUrl: string; model: string }) {
  const [lang, setLang] = useState<Lang>('curl');
  const text = snippet(lang, apiBaseUrl, model);
  return (
    <section className="section" aria-label="Local API">
      <h2>Local API</h2>
      <p>
        Office tools that speak the OpenAI API can use <code data-testid="api-url">{apiBaseUrl}</code> <CopyButton text={apiBaseUrl} label="Copy URL" />
      </p>
      <div className="tabs" role="tablist" aria-label="Example language">
        {(Object.keys(LABELS) as Lang[]).map((l) => (
          <button key={l} type="button" role="tab" aria-selected={lang === l} className={`tab${lang === l ? ' active' : ''}`} onClick={() => setLang(l)}>
            {LABELS[l]}
          </button>
        ))}
      </div>
      <div className="snippet">
        <pre>
          <code>{text}</code>
        </pre>
        <CopyButton text={text} />
      </div>
    </section>
  );
}
