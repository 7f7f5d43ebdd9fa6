// The chat's Markdown renderer: blocks and inline spans, half-written input while streaming, and
// that text can never become HTML.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown, parseBlocks } from '../../../renderer/src/lib/markdown.js';
import { SseParser } from '../../../renderer/src/lib/sse.js';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe('parseBlocks', () => {
  it('splits paragraphs, headings, lists and fenced code', () => {
    const blocks = parseBlocks('# Title\n\nHello\nworld\n\n- a\n- b\n\n1. one\n2. two\n\n```js\nconst x = 1;\n```\nafter');
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list', 'code', 'paragraph']);
    expect(blocks[2]).toMatchObject({ ordered: false, items: ['a', 'b'] });
    expect(blocks[3]).toMatchObject({ ordered: true, start: 1, items: ['one', 'two'] });
    expect(blocks[4]).toEqual({ kind: 'code', lang: 'js', text: 'const x = 1;', open: false });
  });

  it('treats an unclosed fence as code running to the end (an answer still streaming)', () => {
    const blocks = parseBlocks('Look:\n```python\nprint(1)\n# not a heading');
    expect(blocks[1]).toEqual({ kind: 'code', lang: 'python', text: 'print(1)\n# not a heading', open: true });
  });
});

describe('Markdown', () => {
  it('renders bold, italics and inline code, leaving snake_case words alone', () => {
    expect(html('a **bold** and *it* and `x<y` and snake_case_name')).toBe('<div class="md"><p>a <strong>bold</strong> and <em>it</em> and <code>x&lt;y</code> and snake_case_name</p></div>');
  });

  it('never turns text into HTML: tags, scripts and attributes stay text', () => {
    const out = html('<img src=x onerror=alert(1)> **<script>alert(1)</script>**\n```\n</code><b>x</b>\n```');
    expect(out).not.toMatch(/<img|<script|<b>/);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;script&gt;');
  });

  it('keeps half-written emphasis as plain text', () => {
    expect(html('this is **not closed')).toBe('<div class="md"><p>this is **not closed</p></div>');
  });
});

describe('SseParser', () => {
  it('joins events split across chunks and skips comments', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\n\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\nevent: log\ndata: x\n\ndata: [DONE]')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'log', data: 'x' },
    ]);
    expect(p.push('\n\n')).toEqual([{ event: 'message', data: '[DONE]' }]);
  });
});
